import { useCallback, useEffect, useState } from 'react';
import { api, type AppInfo, type SessionSummary } from './api.js';
import { ConversationScreen } from './chat/conversation-screen.js';
import { Sidebar } from './layout/sidebar.js';
import { Welcome } from './layout/welcome.js';
import { useHashRoute } from './use-hash-route.js';

const USER_KEY = 'sessions-chat-user';

export function App() {
  const [user, setUser] = useState<string | null>(() => localStorage.getItem(USER_KEY));
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [sessionId, open] = useHashRoute();
  const [listVersion, setListVersion] = useState(0);
  const [drawerOpen, setDrawerOpen] = useState(false);

  useEffect(() => {
    fetch('/api/info')
      .then((response) => response.json() as Promise<AppInfo>)
      .then(setInfo, () => setInfo(null));
  }, []);

  const refreshList = useCallback(() => setListVersion((version) => version + 1), []);

  const signIn = (name: string) => {
    localStorage.setItem(USER_KEY, name);
    setUser(name);
    open(null);
  };

  const newChat = async () => {
    const { session } = await api<{ session: SessionSummary }>(user!, '/api/sessions', { method: 'POST', body: {} });
    refreshList();
    setDrawerOpen(false);
    open(session.sessionId);
  };

  const switchUser = () => {
    localStorage.removeItem(USER_KEY);
    setUser(null);
    setDrawerOpen(false);
    open(null);
  };

  if (!user) return <Welcome info={info} onSignIn={signIn} />;

  return (
    <div className={`layout${drawerOpen ? ' drawer-open' : ''}`}>
      <Sidebar
        user={user}
        info={info}
        openSessionId={sessionId}
        listVersion={listVersion}
        onOpen={(id) => {
          setDrawerOpen(false);
          open(id);
        }}
        onNewChat={newChat}
        onImported={(id) => {
          refreshList();
          setDrawerOpen(false);
          open(id);
        }}
        onClose={() => setDrawerOpen(false)}
        onSwitchUser={switchUser}
      />
      <ConversationScreen
        key={`${user}\u0000${sessionId ?? ''}`}
        user={user}
        info={info}
        sessionId={sessionId}
        onOpen={open}
        onNewChat={newChat}
        onChanged={refreshList}
        onShowConversations={() => setDrawerOpen(true)}
        onSwitchUser={switchUser}
      />
    </div>
  );
}
