import { useState, type FormEvent, type KeyboardEvent } from 'react';

interface ComposerProps {
  maxChars: number;
  busy: boolean;
  onSend(text: string): void;
  onStop(): void;
}

/**
 * The message box. A message over the limit is refused with a message and kept in the box,
 * never cut (no `maxlength`, which would silently truncate a paste).
 */
export function Composer({ maxChars, busy, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  const length = text.trim().length;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    if (length === 0) {
      setProblem('Type a message first.');
      return;
    }
    if (length > maxChars) {
      setProblem(
        `This message has ${length.toLocaleString('en')} characters; a message is at most ${maxChars.toLocaleString('en')}. Shorten it or split it into several.`,
      );
      return;
    }
    setProblem('');
    onSend(text.trim());
    setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit} aria-label="Send a message">
      {problem && (
        <p className="problem" role="alert" id="composer-problem">
          {problem}
        </p>
      )}
      <div className="composer-row">
        <label htmlFor="message" className="visually-hidden">
          Message
        </label>
        <textarea
          id="message"
          rows={1}
          placeholder="Write a message…"
          title="Enter sends; Shift+Enter starts a new line"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            if (problem) setProblem('');
          }}
          onKeyDown={onKeyDown}
          aria-invalid={length > maxChars}
          aria-describedby={problem ? 'composer-problem' : undefined}
        />
        {busy ? (
          <button type="button" className="stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary send">
            Send
          </button>
        )}
      </div>
      {length > maxChars * 0.9 && (
        <p className={`counter${length > maxChars ? ' over' : ''}`}>
          {length.toLocaleString('en')} / {maxChars.toLocaleString('en')}
        </p>
      )}
    </form>
  );
}
