import { getToolName, isToolUIPart, type UIMessage } from 'ai';
import { useState } from 'react';

type Part = UIMessage['parts'][number];

interface MessageViewProps {
  message: UIMessage;
  onFork(): void;
  /** Only on the newest reply, when no reply is being produced. */
  onRegenerate: (() => void) | undefined;
}

/** One message, its parts rendered as the AI SDK defines them. Text is text: never parsed as HTML. */
export function MessageView({ message, onFork, onRegenerate }: MessageViewProps) {
  const [menuOpen, setMenuOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  const text = message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  return (
    <li className={`message ${message.role}`} data-message-id={message.id}>
      <div className="bubble">
        <span className="visually-hidden">{message.role === 'user' ? 'You said:' : 'Assistant:'}</span>
        {message.parts.map((part, index) => (
          <PartView key={index} part={part} />
        ))}
      </div>
      <div className="message-tools">
        {onRegenerate && (
          <button type="button" className="quiet small" onClick={onRegenerate}>
            Regenerate
          </button>
        )}
        <button
          type="button"
          className="quiet icon-button small more"
          aria-label="Message actions"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          ⋯
        </button>
        {menuOpen && (
          <span className="inline-menu">
            <button type="button" className="quiet small" onClick={() => (setMenuOpen(false), onFork())}>
              Fork from here
            </button>
            <button
              type="button"
              className="quiet small"
              onClick={() =>
                void navigator.clipboard?.writeText(text).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? 'Copied' : 'Copy text'}
            </button>
          </span>
        )}
      </div>
    </li>
  );
}

function PartView({ part }: { part: Part }) {
  if (part.type === 'text') return <div className="text">{part.text}</div>;
  if (part.type === 'reasoning') {
    return (
      <details className="reasoning">
        <summary>Reasoning</summary>
        <div className="text">{part.text}</div>
      </details>
    );
  }
  if (part.type === 'file') {
    const name = part.filename ?? part.mediaType;
    return part.mediaType.startsWith('image/') ? (
      <img className="file-image" src={part.url} alt={name} />
    ) : (
      <a className="file" href={part.url} download={name}>
        {name}
      </a>
    );
  }
  if (part.type === 'source-url') {
    return (
      <a className="source" href={part.url} rel="noreferrer noopener" target="_blank">
        {part.title ?? part.url}
      </a>
    );
  }
  if (isToolUIPart(part)) return <ToolView name={getToolName(part)} part={part} />;
  return null;
}

function ToolView({ name, part }: { name: string; part: Extract<Part, { toolCallId: string }> }) {
  const state = 'state' in part ? part.state : 'input-available';
  const output = 'output' in part ? part.output : undefined;
  const summary =
    state === 'output-available'
      ? formatOutput(output)
      : state === 'output-error'
        ? `failed: ${'errorText' in part ? String(part.errorText) : 'unknown error'}`
        : state === 'output-denied'
          ? 'not allowed'
          : 'running…';
  return (
    <div className={`tool tool-${state}`} data-tool={name}>
      <span className="tool-name">
        <ToolIcon />
        {name === 'clock' ? 'Clock tool' : `Tool ${name}`}
      </span>
      <span className="tool-summary">{summary}</span>
      <details>
        <summary>Call and result</summary>
        <pre>{JSON.stringify({ input: 'input' in part ? part.input : undefined, output }, null, 2)}</pre>
      </details>
    </div>
  );
}

function formatOutput(output: unknown): string {
  if (output && typeof output === 'object' && 'formatted' in output) return String(output.formatted);
  return typeof output === 'string' ? output : JSON.stringify(output);
}

/** Drawn inline: an emoji may be missing from the reader's fonts. */
function ToolIcon() {
  return (
    <svg className="tool-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}
