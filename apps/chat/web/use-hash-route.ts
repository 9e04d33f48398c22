import { useEffect, useState } from 'react';

/** The open conversation lives in the address (`#/s/<id>`), so reload, back and links work. */
export function useHashRoute(): [string | null, (sessionId: string | null) => void] {
  const [sessionId, setSessionId] = useState(read);
  useEffect(() => {
    const onChange = () => setSessionId(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = (next: string | null) => {
    location.hash = next === null ? '' : `#/s/${encodeURIComponent(next)}`;
    setSessionId(next);
  };
  return [sessionId, go];
}

function read(): string | null {
  const match = /^#\/s\/(.+)$/.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}
