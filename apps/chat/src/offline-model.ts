import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';

/**
 * The model the app uses when no OpenAI-compatible endpoint is configured. It is not an
 * LLM and says so: it answers from the conversation it is sent, which is enough to show
 * that history survives reloads and restarts ("My name is Alice" ... "What's my name?").
 * Asked for the time, it calls the `clock` tool when it is offered, then reads the result.
 */
export class OfflineDemoModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'sessions-offline-demo';
  readonly modelId = 'offline-demo';
  readonly supportedUrls = {};
  readonly #delayMs: number;

  constructor(options: { delayMs?: number } = {}) {
    this.#delayMs = options.delayMs ?? 25;
  }

  async doGenerate(options: LanguageModelV3CallOptions) {
    const call = clockCall(options);
    if (call) {
      return { content: [call], finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' }, usage: usage(options, ''), warnings: [] };
    }
    const text = answer(options);
    return {
      content: [{ type: 'text' as const, text }],
      finishReason: { unified: 'stop' as const, raw: 'stop' },
      usage: usage(options, text),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV3CallOptions) {
    const call = clockCall(options);
    if (call) {
      const parts: LanguageModelV3StreamPart[] = [
        { type: 'stream-start', warnings: [] },
        call,
        { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: usage(options, '') },
      ];
      return {
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start: (controller) => (parts.forEach((part) => controller.enqueue(part)), controller.close()),
        }),
      };
    }
    const text = answer(options);
    const words = text.match(/\S+\s*/g) ?? [text];
    const delayMs = this.#delayMs;
    const signal = options.abortSignal;
    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      async start(controller) {
        controller.enqueue({ type: 'stream-start', warnings: [] });
        controller.enqueue({ type: 'text-start', id: 'reply' });
        for (const word of words) {
          if (signal?.aborted) {
            controller.error(signal.reason);
            return;
          }
          controller.enqueue({ type: 'text-delta', id: 'reply', delta: word });
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        controller.enqueue({ type: 'text-end', id: 'reply' });
        controller.enqueue({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(options, text) });
        controller.close();
      },
    });
    return { stream };
  }
}

function userTexts(options: LanguageModelV3CallOptions): string[] {
  return options.prompt
    .filter((message) => message.role === 'user')
    .map((message) =>
      message.content
        .map((part) => (part.type === 'text' ? part.text : ''))
        .join(' ')
        .trim(),
    );
}

const ASKS_FOR_TIME = /\bwhat time\b|\bthe time\b|\bclock\b|\bwhat day\b|\bdate today\b|\btoday's date\b/i;

/** A call of the clock tool when the latest user message asks for the time and no result came back yet. */
function clockCall(options: LanguageModelV3CallOptions): Extract<LanguageModelV3StreamPart, { type: 'tool-call' }> | undefined {
  const offered = options.tools?.some((tool) => tool.name === 'clock');
  const last = options.prompt.at(-1);
  if (!offered || last?.role !== 'user' || !ASKS_FOR_TIME.test(userTexts(options).at(-1) ?? '')) return undefined;
  return { type: 'tool-call', toolCallId: `call_${Math.random().toString(36).slice(2, 10)}`, toolName: 'clock', input: JSON.stringify({ timeZone: 'UTC' }) };
}

/** The clock tool's result, when the last message of the prompt carries one. */
function clockResult(options: LanguageModelV3CallOptions): string | undefined {
  const last = options.prompt.at(-1);
  if (last?.role !== 'tool') return undefined;
  for (const part of last.content) {
    if (part.type === 'tool-result' && part.toolName === 'clock' && part.output.type === 'json') {
      const value = part.output.value as { formatted?: unknown };
      if (typeof value.formatted === 'string') return value.formatted;
    }
  }
  return undefined;
}

/** A deterministic reply computed from the conversation it was sent. */
export function answer(options: LanguageModelV3CallOptions): string {
  const time = clockResult(options);
  if (time) return `The clock tool says it is ${time}.`;
  const texts = userTexts(options);
  const latest = texts.at(-1) ?? '';
  const earlier = texts.slice(0, -1);
  const name = [...texts]
    .reverse()
    .map(findName)
    .find((found) => found !== undefined);
  if (/what('?s| is) my name/i.test(latest)) {
    return name ? `Your name is ${name}.` : "You haven't told me your name yet.";
  }
  const introduced = findName(latest);
  if (introduced) return `Nice to meet you, ${introduced}! I'll remember that.`;
  if (/what did i (say|ask)|remember/i.test(latest) && earlier.length > 0) {
    return `Earlier you said: "${earlier.at(-1)}".`;
  }
  const count = options.prompt.filter((message) => message.role === 'user' || message.role === 'assistant').length - 1;
  return `(offline demo model, not an LLM) You said: "${latest}". I can see ${count} earlier message${count === 1 ? '' : 's'} in this conversation.`;
}

function findName(text: string): string | undefined {
  const match = /\bmy name is\s+([\p{L}][\p{L}'-]*)/iu.exec(text) ?? /\bi am\s+([\p{Lu}][\p{L}'-]*)/u.exec(text) ?? /\bI'm\s+([\p{Lu}][\p{L}'-]*)/u.exec(text);
  return match?.[1];
}

function usage(options: LanguageModelV3CallOptions, text: string): LanguageModelV3Usage {
  const input = JSON.stringify(options.prompt).length / 4;
  return {
    inputTokens: { total: Math.ceil(input), noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: Math.ceil(text.length / 4), text: undefined, reasoning: undefined },
  };
}
