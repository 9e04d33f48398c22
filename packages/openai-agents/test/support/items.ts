import type { AgentInputItem } from '@openai/agents-core';

/**
 * One of every kind of item the Agents SDK puts in a session, with the awkward values an
 * exact round trip must survive: 4-byte unicode, quotes and SQL-looking text, deep
 * provider data, byte arrays, explicitly undefined properties, numbers of every shape.
 */
export function itemCatalogue(): AgentInputItem[] {
  return [
    { type: 'message', role: 'system', content: 'You are terse. Ünïcödé 𝄞 "quotes" \'; DROP TABLE messages; --' },
    { role: 'user', content: 'no type field, plain string' },
    {
      type: 'message',
      role: 'user',
      id: 'msg_user_1',
      content: [
        { type: 'input_text', text: 'look at this 👀' },
        { type: 'input_image', image: 'https://example.invalid/cat.png', detail: 'high' },
        { type: 'input_file', file: { id: 'file_123' }, filename: 'report.pdf' },
      ],
      providerData: { nested: { deep: [1, 2.5, -0.125, 1e21, { k: null }], flag: false }, 'key with spaces': '' },
    },
    {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      id: 'msg_assistant_1',
      phase: 'final_answer',
      content: [
        { type: 'output_text', text: 'Here you go: ™ € 𝔘𝔫𝔦' },
        { type: 'refusal', refusal: 'cannot do that part' },
      ],
    },
    { type: 'reasoning', id: 'rs_1', content: [{ type: 'input_text', text: 'thinking…' }], rawContent: [{ type: 'reasoning_text', text: 'raw' }] },
    { type: 'function_call', callId: 'call_abc', name: 'get_weather', arguments: '{"city":"Zürich","days":3}', status: 'completed' },
    { type: 'function_call_result', callId: 'call_abc', name: 'get_weather', status: 'completed', output: { type: 'text', text: 'sunny, 21°C' } },
    { type: 'function_call_result', callId: 'call_str', name: 'echo', status: 'completed', output: 'a plain string output' },
    {
      type: 'function_call_result',
      callId: 'call_img',
      name: 'screenshot',
      status: 'completed',
      output: { type: 'image', image: { data: new Uint8Array([0, 1, 2, 250, 255]), mediaType: 'image/png' } },
    },
    {
      type: 'function_call_result',
      callId: 'call_arr',
      name: 'multi',
      status: 'incomplete',
      output: [
        { type: 'input_text', text: 'part one' },
        { type: 'input_image', image: 'data:image/png;base64,AAAA' },
      ],
    },
    { type: 'hosted_tool_call', id: 'ws_1', name: 'web_search_call', status: 'completed', arguments: '{"query":"sessions"}', output: 'results' },
    { type: 'computer_call', callId: 'call_cmp', status: 'completed', action: { type: 'click', x: 10, y: 20, button: 'left' } },
    { type: 'computer_call_result', callId: 'call_cmp', output: { type: 'computer_screenshot', data: 'data:image/png;base64,BBBB' } },
    {
      type: 'computer_call',
      callId: 'call_cmp2',
      status: 'in_progress',
      actions: [{ type: 'screenshot' }, { type: 'scroll', x: 1, y: 2, scroll_x: 0, scroll_y: -300 }],
    },
    { type: 'function_call', callId: 'call_ns', name: 'lookup', namespace: 'crm', arguments: '', caller: { type: 'program', callerId: 'prog_1' } },
    { type: 'program', id: 'prog_1', callId: 'call_prog', code: 'await tools.crm.lookup({})', fingerprint: 'fp_9' },
    { type: 'program_output', callId: 'call_prog', status: 'completed', output: 'done\n' },
    { type: 'tool_search_call', id: 'tsc_1', call_id: 'call_ts', execution: 'server', arguments: { paths: ['crm'], query: 'lookup' }, status: 'completed' },
    {
      type: 'tool_search_output',
      id: 'tso_1',
      call_id: 'call_ts',
      execution: 'server',
      status: 'completed',
      tools: [{ type: 'tool_reference', functionName: 'lookup', namespace: 'crm' }],
    },
    { type: 'tool_search_call', callId: null, execution: 'client', arguments: null },
    { type: 'shell_call', callId: 'call_sh', status: 'completed', action: { commands: ['ls -la', 'echo "é"'], timeoutMs: 5_000, maxOutputLength: 4_096 } },
    {
      type: 'shell_call_output',
      callId: 'call_sh',
      maxOutputLength: 4_096,
      output: [
        { stdout: 'a\nb\n', stderr: '', outcome: { type: 'exit', exitCode: 0 } },
        { stdout: '', stderr: '', outcome: { type: 'timeout' } },
      ],
    },
    {
      type: 'apply_patch_call',
      callId: 'call_ap',
      status: 'completed',
      operation: { type: 'update_file', path: 'src/a.ts', diff: '@@\n-a\n+b', moveTo: 'src/b.ts' },
    },
    { type: 'apply_patch_call_output', callId: 'call_ap', status: 'completed', output: 'patched' },
    { type: 'apply_patch_call_output', callId: 'call_ap2', status: 'failed' },
    { type: 'compaction', id: 'cmp_1', encrypted_content: 'gAAAAB…==', created_by: 'server' },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_file', file: 'JVBERi0xLjQK', filename: 'inline.pdf' },
        { type: 'input_file', file: { url: 'https://example.invalid/spec.pdf' } },
        { type: 'input_image', image: { id: 'file_img' }, promptCacheBreakpoint: { type: 'ephemeral' } },
        { type: 'audio', audio: 'UklGRiQAAABXQVZF', format: 'wav' },
      ],
    } as AgentInputItem,
    { type: 'unknown', id: 'x_1', providerData: { whatever: { a: [true, null, 'b'] } } },
    { type: 'message', role: 'user', content: 'with an undefined property', providerData: undefined },
  ];
}
