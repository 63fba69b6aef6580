// The console's single page: plain HTML and inline script, no build step. All user data is
// written with textContent, never innerHTML, because message text comes from anyone.
export const consolePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Webex simulator console</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 280px 1fr; height: 100vh; }
  aside { border-right: 1px solid #ccc; padding: 12px; overflow: auto; }
  main { display: flex; flex-direction: column; padding: 12px; min-height: 0; }
  #messages { flex: 1; overflow: auto; border: 1px solid #ddd; padding: 8px; margin: 8px 0; }
  .message { margin: 4px 0; }
  .author { font-weight: 600; margin-right: 6px; }
  .time { color: #888; font-size: 12px; margin-left: 6px; }
  .room { cursor: pointer; padding: 4px; border-radius: 4px; }
  .room.selected { background: #e4efff; }
  form { display: flex; gap: 6px; }
  input[name=text] { flex: 1; }
  #error { color: #b00020; }
  .message.reply { margin-left: 24px; }
  .action { font-size: 11px; margin-left: 4px; padding: 0 6px; }
  .file { margin-left: 6px; }
</style>
</head>
<body>
<aside>
  <label>Act as <select id="user"></select></label>
  <label>Status <select id="status">
    <option>active</option><option>inactive</option><option>DoNotDisturb</option><option>meeting</option>
    <option>call</option><option>presenting</option><option>OutOfOffice</option>
  </select></label>
  <h3>Rooms</h3>
  <div id="rooms"></div>
</aside>
<main>
  <h2 id="roomTitle">Pick a room, or send to an email</h2>
  <div id="messages"></div>
  <form id="send">
    <input name="to" placeholder="email (empty: selected room)" size="28">
    <input name="text" placeholder="message" autocomplete="off">
    <input name="file" type="file" title="Attach one file; it is sent with the message">
    <button>Send</button>
  </form>
  <div id="error"></div>
</main>
<script>
  const userSelect = document.getElementById('user');
  const roomsBox = document.getElementById('rooms');
  const messagesBox = document.getElementById('messages');
  const roomTitle = document.getElementById('roomTitle');
  const errorBox = document.getElementById('error');
  let selectedRoom = null;
  let usersById = {};

  async function getJson(url, options) {
    const response = await fetch(url, options);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || ('HTTP ' + response.status));
    return body;
  }

  function actionButton(label, run) {
    const button = document.createElement('button');
    button.className = 'action';
    button.textContent = label;
    button.onclick = async () => {
      try { await run(); errorBox.textContent = ''; await refresh(); } catch (error) { errorBox.textContent = error.message; }
    };
    return button;
  }
  function post(url, body) {
    return getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  // Reply in the message's thread for anyone; edit and delete for the author.
  function actions(message, personId) {
    const buttons = [actionButton('Reply', async () => {
      const text = prompt('Reply in thread');
      if (text) await post('/console/api/send', { personId, roomId: selectedRoom, parentId: message.parentId || message.id, text });
    })];
    if (message.personId === personId) {
      buttons.push(actionButton('Edit', async () => {
        const text = prompt('New text', message.text);
        if (text) await post('/console/api/edit', { personId, roomId: selectedRoom, messageId: message.id, text });
      }));
      buttons.push(actionButton('Delete', async () => {
        if (confirm('Delete this message?')) await post('/console/api/delete', { personId, messageId: message.id });
      }));
    }
    return buttons;
  }
  const statusSelect = document.getElementById('status');
  statusSelect.onchange = () => post('/console/api/status', { personId: userSelect.value, status: statusSelect.value })
    .catch((error) => { errorBox.textContent = error.message; });
  async function loadUsers() {
    const users = await getJson('/console/api/users');
    usersById = Object.fromEntries(users.map((user) => [user.id, user]));
    userSelect.replaceChildren();
    for (const user of users) {
      const option = document.createElement('option');
      option.value = user.id;
      option.textContent = user.displayName + ' <' + user.email + '> (' + user.type + ')';
      userSelect.append(option);
    }
  }

  async function refresh() {
    const personId = userSelect.value;
    if (!personId) return;
    const rooms = await getJson('/console/api/rooms?personId=' + encodeURIComponent(personId));
    roomsBox.replaceChildren();
    for (const room of rooms) {
      const item = document.createElement('div');
      item.className = 'room' + (room.id === selectedRoom ? ' selected' : '');
      item.textContent = room.title + ' (' + room.type + ')';
      // Picking a room sends there: an address left in the field would send elsewhere.
      item.onclick = () => { selectedRoom = room.id; roomTitle.textContent = room.title; document.getElementById('send').to.value = ''; refresh(); };
      if (room.id === selectedRoom) roomTitle.textContent = room.title;
      roomsBox.append(item);
    }
    if (!selectedRoom) { messagesBox.replaceChildren(); return; }
    const messages = await getJson('/console/api/messages?personId=' + encodeURIComponent(personId) +
      '&roomId=' + encodeURIComponent(selectedRoom));
    messagesBox.replaceChildren();
    for (const message of messages) {
      const line = document.createElement('div');
      line.className = message.parentId ? 'message reply' : 'message';
      const author = document.createElement('span');
      author.className = 'author';
      author.textContent = message.author;
      const text = document.createElement('span');
      text.textContent = message.text;
      const files = (message.files || []).map((file) => {
        const link = document.createElement('a');
        link.className = 'file';
        link.href = file.url;
        link.target = '_blank';
        link.rel = 'noopener';
        link.textContent = '[file] ' + file.name;
        return link;
      });
      const time = document.createElement('span');
      time.className = 'time';
      time.textContent = new Date(message.created).toLocaleTimeString();
      line.append(author, text, ...files, time, ...actions(message, personId));
      messagesBox.append(line);
    }
    messagesBox.scrollTop = messagesBox.scrollHeight;
  }

  document.getElementById('send').onsubmit = async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { personId: userSelect.value, text: form.text.value };
    if (form.to.value.trim()) body.toPersonEmail = form.to.value.trim();
    else if (selectedRoom) body.roomId = selectedRoom;
    // With a file picked, the message goes as multipart/form-data, the file in the field files.
    const file = form.file.files[0];
    let request;
    if (file) {
      const formData = new FormData();
      for (const [key, value] of Object.entries(body)) if (value) formData.append(key, value);
      formData.append('files', file, file.name);
      request = { method: 'POST', body: formData };
    } else {
      request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    }
    try {
      const sent = await getJson(file ? '/console/api/send-file' : '/console/api/send', request);
      selectedRoom = sent.roomId;
      // The message went to that room; later messages go there too until another is picked.
      form.to.value = '';
      form.text.value = '';
      form.file.value = '';
      errorBox.textContent = '';
      await refresh();
    } catch (error) {
      errorBox.textContent = error.message;
    }
  };

  userSelect.onchange = () => { selectedRoom = null; statusSelect.value = (usersById[userSelect.value] || {}).status || 'active'; roomTitle.textContent = 'Pick a room, or send to an email'; refresh(); };
  loadUsers().then(refresh);
  setInterval(() => refresh().catch((error) => { errorBox.textContent = error.message; }), 1500);
</script>
</body>
</html>
`;
