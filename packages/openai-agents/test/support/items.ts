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
    { type: 'unknown', id: 'x_1', providerData: { whatever: { a: [true, null, 'b'] } } },
    { type: 'message', role: 'user', content: 'with an undefined property', providerData: undefined } as AgentInputItem,
  ];
}
