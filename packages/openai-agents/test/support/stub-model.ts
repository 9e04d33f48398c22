import { Usage, type AgentInputItem, type AgentOutputItem, type Model, type ModelRequest, type ModelResponse, type StreamEvent } from '@openai/agents-core';

export type Respond = (request: ModelRequest, call: number) => AgentOutputItem[] | Promise<AgentOutputItem[]>;

/**
 * An Agents SDK `Model` that answers from a script instead of the network, so the real
 * `run()` code paths (history loading, tool execution, session persistence) execute.
 */
export class StubModel implements Model {
  readonly requests: ModelRequest[] = [];
  readonly #respond: Respond;

  constructor(respond: Respond) {
    this.#respond = respond;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const call = this.requests.push(request) - 1;
    const output = await this.#respond(request, call);
    return { usage: new Usage(), output, responseId: `resp_${call}` };
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const { output, responseId } = await this.getResponse(request);
    for (const item of output) {
      if (item.type === 'message' && item.role === 'assistant') {
        for (const part of item.content) if (part.type === 'output_text') yield { type: 'output_text_delta', delta: part.text };
      }
    }
    yield {
      type: 'response_done',
      response: { id: responseId!, usage: { requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: 0 }, output: output as never },
    };
  }
}

let nextId = 0;

/** An assistant message item as a model returns it. */
export function assistantSays(text: string): AgentOutputItem {
  return { type: 'message', role: 'assistant', status: 'completed', id: `msg_stub_${++nextId}`, content: [{ type: 'output_text', text }] };
}

/** The texts of the user messages a model was sent, oldest first. */
export function userTexts(input: string | AgentInputItem[]): string[] {
  if (typeof input === 'string') return [input];
  const texts: string[] = [];
  for (const item of input) {
    if (item.type !== undefined && item.type !== 'message') continue;
    if (!('role' in item) || item.role !== 'user') continue;
    if (typeof item.content === 'string') texts.push(item.content);
    else for (const part of item.content) if (part.type === 'input_text') texts.push(part.text);
  }
  return texts;
}

/**
 * A model that remembers names only through the history it is sent: it answers "What's my
 * name?" from an earlier "My name is X" in its input, and acknowledges anything else.
 */
export function nameRecallModel(): StubModel {
  return new StubModel((request) => {
    const texts = userTexts(request.input);
    const latest = texts.at(-1) ?? '';
    if (/what'?s my name/i.test(latest)) {
      const named = texts
        .map((text) => /my name is (\w+)/i.exec(text)?.[1])
        .filter(Boolean)
        .at(-1);
      return [assistantSays(named ? `Your name is ${named}.` : "I don't know your name.")];
    }
    return [assistantSays(`Noted: ${latest}`)];
  });
}

/** A model whose every call fails, as a network or provider error would. */
export function failingModel(message = 'model provider unavailable'): StubModel {
  return new StubModel(() => {
    throw new Error(message);
  });
}
