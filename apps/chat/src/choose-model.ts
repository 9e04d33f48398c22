import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { ChatConfig } from './config.js';
import { OfflineDemoModel } from './offline-model.js';

/** An OpenAI-compatible model when one is configured, else the labelled offline demo model. */
export function chooseModel(config: ChatConfig): { model: LanguageModel; label: string } {
  if (!config.openai) {
    const delayMs = Number(process.env['CHAT_DEMO_DELAY_MS'] ?? 25);
    return {
      model: new OfflineDemoModel({ delayMs }),
      label: 'Offline demo model: not an LLM, it answers from the conversation history. Set OPENAI_BASE_URL / OPENAI_API_KEY / CHAT_MODEL for a real one.',
    };
  }
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: config.openai.baseURL,
    ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
  });
  return { model: provider(config.openai.model), label: `Model: ${config.openai.model} at ${new URL(config.openai.baseURL).host}` };
}
