// The console's single page: plain HTML and inline script, no build step. User data is
// written with textContent, never as HTML, because message text comes from anyone.
export const consolePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Teams simulator console</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 260px 1fr; height: 100vh; }
  aside { border-right: 1px solid #ccc; padding: 12px; overflow: auto; }
  main { display: flex; flex-direction: column; padding: 12px; min-height: 0; }
  #messages { flex: 1; overflow: auto; border: 1px solid #ddd; padding: 8px; margin: 8px 0; }
  .message { margin: 4px 0; }
  .message.bot { color: #333; background: #f3f2fb; padding: 2px 4px; border-radius: 4px; }
  .author { font-weight: 600; margin-right: 6px; }
  .note { color: #888; font-size: 12px; margin-left: 6px; }
  .user { cursor: pointer; padding: 4px; border-radius: 4px; }
  .user.selected { background: #e4e2f7; }
  form { display: flex; gap: 6px; }
  input[name=text] { flex: 1; }
  #error { color: #b00020; }
  .action { font-size: 11px; margin-left: 4px; padding: 0 6px; }
</style>
</head>
<body>
<aside>
  <h3>Users</h3>
  <div id="users"></div>
</aside>
<main>
  <h2 id="title">Pick a user</h2>
  <button id="install" hidden>Install the bot</button>
  <div id="messages"></div>
  <form id="send">
    <input name="text" placeholder="message to the bot" autocomplete="off">
    <button>Send</button>
  </form>
  <div id="error"></div>
</main>
<script>
  const usersBox = document.getElementById('users');
  const messagesBox = document.getElementById('messages');
  const title = document.getElementById('title');
  const errorBox = document.getElementById('error');
  const installButton = document.getElementById('install');
  let selectedUser = null;

  async function getJson(url, options) {
    const response = await fetch(url, options);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.error && body.error.message) || ('HTTP ' + response.status));
    return body;
  }
  function post(url, body) {
    return getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  function show(error) { errorBox.textContent = error ? error.message : ''; }
  function span(className, text) {
    const element = document.createElement('span');
    element.className = className;
    element.textContent = text;
    return element;
  }
  function consentButton(message, action) {
    const button = document.createElement('button');
    button.className = 'action';
    button.textContent = action === 'accept' ? 'Allow' : 'Decline';
    button.onclick = () => post('/console/api/file-consent', { userId: selectedUser.id, activityId: message.id, action })
      .then(() => { show(null); return refresh(); }, show);
    return button;
  }

  async function refresh() {
    const users = await getJson('/console/api/users');
    usersBox.replaceChildren();
    for (const user of users) {
      const item = document.createElement('div');
      item.className = 'user' + (selectedUser && user.id === selectedUser.id ? ' selected' : '');
      item.textContent = user.name + ' <' + user.email + '>' + (user.installed ? '' : ' (bot not installed)');
      item.onclick = () => { selectedUser = user; refresh().catch(show); };
      usersBox.append(item);
    }
    if (!selectedUser) return;

    const chat = await getJson('/console/api/messages?userId=' + encodeURIComponent(selectedUser.id));
    title.textContent = selectedUser.name + ' and ' + chat.botName;
    installButton.hidden = chat.installed;
    messagesBox.replaceChildren();
    for (const message of chat.messages) {
      const line = document.createElement('div');
      line.className = 'message ' + message.role;
      line.append(span('author', message.author), span('text', message.deleted ? '(deleted)' : message.text));
      for (const attachment of message.attachments) {
        line.append(span('note', '[' + (attachment.name || attachment.contentType) + ']'));
      }
      if (message.edited) line.append(span('note', '(edited)'));
      if (message.reactions.length > 0) line.append(span('note', message.reactions.join(' ')));
      if (message.fileConsent) {
        if (message.fileConsent.answer) line.append(span('note', 'consent: ' + message.fileConsent.answer));
        else line.append(consentButton(message, 'accept'), consentButton(message, 'decline'));
      }
      line.append(span('note', new Date(message.timestamp).toLocaleTimeString()));
      messagesBox.append(line);
    }
    messagesBox.scrollTop = messagesBox.scrollHeight;
  }

  installButton.onclick = () => post('/console/api/install', { userId: selectedUser.id }).then(() => { show(null); return refresh(); }, show);
  document.getElementById('send').onsubmit = async (event) => {
    event.preventDefault();
    const form = event.target;
    if (!selectedUser) { show(new Error('Pick a user first.')); return; }
    try {
      await post('/console/api/send', { userId: selectedUser.id, text: form.text.value });
      form.text.value = '';
      show(null);
      await refresh();
    } catch (error) {
      show(error);
    }
  };
  refresh().catch(show);
  setInterval(() => refresh().catch(show), 1500);
</script>
</body>
</html>
`;
