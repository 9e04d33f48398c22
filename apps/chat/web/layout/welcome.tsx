import { useState, type FormEvent } from 'react';
import type { AppInfo } from '../api.js';

/** The first visit: what this is in one line, and a name to use it under. */
export function Welcome({ info, onSignIn }: { info: AppInfo | null; onSignIn: (name: string) => void }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    // The same rule as the server (src/user.ts): 1 to 64 visible characters.
    if (!trimmed || trimmed.length > 64 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
      setProblem('That user name cannot be used: use 1 to 64 visible characters.');
      return;
    }
    onSignIn(trimmed);
  };
  return (
    <main className="welcome">
      <h1>sessions chat</h1>
      <p className="explainer">
        A chat whose conversations are kept in a session store: reload, restart the server or come back tomorrow, and they are still here.
      </p>
      <form onSubmit={submit} className="welcome-form">
        <label htmlFor="user-name">Your name</label>
        <div className="row">
          <input
            id="user-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            autoComplete="username"
            autoFocus
            aria-describedby="user-name-hint"
          />
          <button type="submit" className="primary">
            Use this name
          </button>
        </div>
        <p id="user-name-hint" className="hint">
          No password: the name only keeps your conversations apart from other people's.
        </p>
        {problem && (
          <p role="alert" className="problem">
            {problem}
          </p>
        )}
      </form>
      {info && <p className="model-label">{info.model}</p>}
    </main>
  );
}
