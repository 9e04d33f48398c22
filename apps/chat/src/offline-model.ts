import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';

/**
 * The model the app uses when no OpenAI-compatible endpoint is configured. It is not an
 * LLM and says so: it answers from the conversation it is sent, which is enough to show
 * that history survives reloads and restarts ("My name is Alice" ... "What's my name?").
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
    const text = answer(options);
    return {
      content: [{ type: 'text' as const, text }],
      finishReason: { unified: 'stop' as const, raw: 'stop' },
      usage: usage(options, text),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV3CallOptions) {
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
    .map((message) => message.content.map((part) => (part.type === 'text' ? part.text : '')).join(' ').trim());
}

/** A deterministic reply computed from the conversation it was sent. */
export function answer(options: LanguageModelV3CallOptions): string {
  const texts = userTexts(options);
  const latest = texts.at(-1) ?? '';
  const earlier = texts.slice(0, -1);
  const name = [...texts].reverse().map(findName).find((found) => found !== undefined);
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
