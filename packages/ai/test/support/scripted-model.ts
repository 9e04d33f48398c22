import { MockLanguageModelV3 } from 'ai/test';

// The provider types, taken from the mock (the provider package is not a direct dependency).
type LanguageModelV3CallOptions = Parameters<MockLanguageModelV3['doGenerate']>[0];
type LanguageModelV3Content = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>['content'][number];
type LanguageModelV3StreamPart = Awaited<ReturnType<MockLanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

export interface ToolCallReply {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/** What the model answers in one step. */
export interface StepReply {
  text?: string;
  reasoning?: string;
  toolCalls?: ToolCallReply[];
}

export type Prompt = LanguageModelV3CallOptions['prompt'];

export interface ScriptedModelOptions {
  /** Wait this long before answering (aborts early if the call is aborted); a function gets the call's index. */
  delayMs?: number | ((call: number) => number);
  /** Called on entry; a thrown error fails the call. */
  beforeReply?: (prompt: Prompt, call: number) => void | Promise<void>;
}

const usage = {
  inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/**
 * The AI SDK's own MockLanguageModelV3, answering each call (generate or stream, the same
 * answer either way) with `reply(prompt)`, so tests run the real SDK code paths.
 */
export function scriptedModel(reply: (prompt: Prompt, call: number) => StepReply, options: ScriptedModelOptions = {}): MockLanguageModelV3 {
  let calls = 0;
  const answer = async (call: LanguageModelV3CallOptions): Promise<StepReply> => {
    const index = calls++;
    await options.beforeReply?.(call.prompt, index);
    const delayMs = typeof options.delayMs === 'function' ? options.delayMs(index) : options.delayMs;
    if (delayMs) await delay(delayMs, call.abortSignal);
    return reply(call.prompt, index);
  };
  return new MockLanguageModelV3({
    doGenerate: async (call) => {
      const step = await answer(call);
      const content: LanguageModelV3Content[] = [];
      if (step.reasoning) content.push({ type: 'reasoning', text: step.reasoning });
      if (step.text !== undefined) content.push({ type: 'text', text: step.text });
      for (const toolCall of step.toolCalls ?? [])
        content.push({ type: 'tool-call', toolCallId: toolCall.toolCallId, toolName: toolCall.toolName, input: JSON.stringify(toolCall.input) });
      return { content, finishReason: finish(step), usage, warnings: [] };
    },
    doStream: async (call) => {
      const step = await answer(call);
      const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      if (step.reasoning)
        parts.push({ type: 'reasoning-start', id: 'r1' }, { type: 'reasoning-delta', id: 'r1', delta: step.reasoning }, { type: 'reasoning-end', id: 'r1' });
      if (step.text !== undefined) {
        parts.push({ type: 'text-start', id: 't1' });
        for (const piece of chunks(step.text)) parts.push({ type: 'text-delta', id: 't1', delta: piece });
        parts.push({ type: 'text-end', id: 't1' });
      }
      for (const toolCall of step.toolCalls ?? [])
        parts.push({ type: 'tool-call', toolCallId: toolCall.toolCallId, toolName: toolCall.toolName, input: JSON.stringify(toolCall.input) });
      parts.push({ type: 'finish', finishReason: finish(step), usage });
      return { stream: readable(parts, call.abortSignal, options.delayMs === undefined || options.delayMs === 0 ? 0 : 1) };
    },
  });
}

function finish(step: StepReply) {
  return step.toolCalls?.length ? { unified: 'tool-calls' as const, raw: 'tool_calls' } : { unified: 'stop' as const, raw: 'stop' };
}

function chunks(text: string): string[] {
  const words = text.split(/(?<= )/);
  return words.length > 0 ? words : [''];
}

function readable(parts: LanguageModelV3StreamPart[], signal: AbortSignal | undefined, gapMs: number): ReadableStream<LanguageModelV3StreamPart> {
  let index = 0;
  return new ReadableStream({
    async pull(controller) {
      if (signal?.aborted) {
        controller.error(signal.reason);
        return;
      }
      if (gapMs) await delay(gapMs, signal).catch((error: unknown) => controller.error(error));
      if (index < parts.length) controller.enqueue(parts[index++]!);
      else controller.close();
    },
  });
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Every piece of text in a prompt, in order (system prompts, user text, assistant text, tool outputs as JSON). */
export function promptTexts(prompt: Prompt): string[] {
  const texts: string[] = [];
  for (const message of prompt) {
    if (typeof message.content === 'string') {
      texts.push(message.content);
      continue;
    }
    for (const part of message.content as { type: string; text?: string; output?: unknown; input?: unknown }[]) {
      if (part.type === 'text' || part.type === 'reasoning') texts.push(part.text ?? '');
      if (part.type === 'tool-result') texts.push(JSON.stringify(part.output));
      if (part.type === 'tool-call') texts.push(JSON.stringify(part.input));
    }
  }
  return texts;
}

/** A model that remembers names: "My name is X" is answered "Nice to meet you, X"; "What's my name?" from the prompt's history. */
export function rememberingModel(options: ScriptedModelOptions = {}): MockLanguageModelV3 {
  return scriptedModel((prompt) => {
    const texts = prompt.filter((message) => message.role === 'user').flatMap((message) => promptTexts([message]));
    const last = texts.at(-1) ?? '';
    const introduced = /My name is (\w+)/.exec(last);
    if (introduced) return { text: `Nice to meet you, ${introduced[1]}.` };
    const known = texts
      .map((text) => /My name is (\w+)/.exec(text)?.[1])
      .filter(Boolean)
      .at(-1);
    return { text: known ? `Your name is ${known}.` : "I don't know your name." };
  }, options);
}
