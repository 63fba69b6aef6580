// Console client. User data reaches the page only through textContent and DOM nodes, never as parsed HTML.
'use strict';

const POLL_MS = 1000;
const view = { user: '', channel: '', label: '' };

const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(path);
  return response.json();
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) {
    alert(data.error);
  }
  return data;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadUsers() {
  const { users } = await getJson('/console/api/users');
  const select = $('user');
  select.replaceChildren();
  for (const user of users) {
    const option = element('option', '', `${user.realName} (${user.workspace})`);
    option.value = user.id;
    select.append(option);
  }
  view.user = select.value;
}

/** What the lists showed last, so that they are built again only when they change. */
let shownLists = '';

async function loadConversations() {
  if (!view.user) return;
  const { conversations, bots } = await getJson(`/console/api/conversations?user=${encodeURIComponent(view.user)}`);
  // Rebuilding the lists every poll would drop a click in progress.
  const key = JSON.stringify([view.user, view.channel, conversations, bots]);
  if (key === shownLists) return;
  shownLists = key;

  const list = $('conversations');
  list.replaceChildren();
  for (const conversation of conversations) {
    const item = element('li', conversation.id === view.channel ? 'active' : '', conversation.label);
    item.addEventListener('click', () => {
      view.channel = conversation.id;
      view.label = conversation.label;
      refresh();
    });
    list.append(item);
  }

  const botList = $('bots');
  botList.replaceChildren();
  for (const bot of bots) {
    const button = element('button', '', `Message ${bot.name}`);
    button.addEventListener('click', async () => {
      const { channel } = await postJson('/console/api/open-im', { user: view.user, other: bot.userId });
      view.channel = channel;
      view.label = bot.name;
      refresh();
    });
    botList.append(button);
  }
}

/** Buttons a Slack user has on a message: react on any, edit and delete on their own. */
function actions(message) {
  const bar = element('div', 'actions');
  const button = (label, run) => {
    const node = element('button', 'action', label);
    node.addEventListener('click', async () => {
      await run();
      refresh();
    });
    bar.append(node);
  };
  const target = { user: view.user, channel: view.channel, ts: message.ts };
  button('React', async () => {
    const name = prompt('Emoji name, such as thumbsup or tada');
    if (name) await postJson('/console/api/react', { ...target, name });
  });
  button('Reply in thread', async () => {
    const text = prompt('Reply');
    if (text) await postJson('/console/api/post', { user: view.user, channel: view.channel, text, threadTs: message.threadTs || message.ts });
  });
  if (message.senderId === view.user && !message.isBot) {
    button('Edit', async () => {
      const text = prompt('New text', message.text);
      if (text) await postJson('/console/api/edit', { ...target, text });
    });
    button('Delete', async () => {
      if (confirm('Delete this message?')) await postJson('/console/api/delete', target);
    });
  }
  return bar;
}

/** Renders a shared file as a download link, or as its name alone once it was deleted. */
function fileLink(file) {
  const label = `📎 ${file.name} (${file.size} bytes)`;
  if (file.deleted) return element('span', 'file meta', `${label}, deleted`);
  const link = element('a', 'file', label);
  link.href = `/console/api/file?user=${encodeURIComponent(view.user)}&file=${encodeURIComponent(file.id)}`;
  return link;
}

/** Shares the picked file as the user, with the typed text as its message. */
async function shareFile(file, text) {
  const query = new URLSearchParams({ user: view.user, channel: view.channel, name: file.name, text });
  const response = await fetch(`/console/api/share-file?${query}`, {
    method: 'POST',
    headers: { 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  if (!response.ok) {
    const data = await response.json();
    alert(data.error);
  }
}

function renderMessage(message) {
  const row = element('div', message.threadTs && message.threadTs !== message.ts ? 'message thread' : 'message');

  if (message.iconEmoji) {
    row.append(element('div', 'emoji', message.iconEmoji));
  } else {
    const img = element('img');
    img.alt = '';
    if (message.icon) img.src = message.icon;
    row.append(img);
  }

  const body = element('div');
  const head = element('div');
  head.append(element('span', 'sender', message.sender));
  if (message.isBot) head.append(element('span', 'app-tag', 'APP'));
  head.append(element('span', 'meta', new Date(Number(message.ts) * 1000).toLocaleTimeString() + (message.edited ? ' (edited)' : '')));
  body.append(head, element('div', 'text', message.text));
  for (const file of message.files) {
    body.append(fileLink(file));
  }
  for (const reaction of message.reactions) {
    body.append(element('span', 'meta', `:${reaction.name}: ${reaction.count}`));
  }
  body.append(actions(message));

  row.append(body);
  return row;
}

async function loadMessages() {
  if (!view.user || !view.channel) return;
  const query = `user=${encodeURIComponent(view.user)}&channel=${encodeURIComponent(view.channel)}`;
  const data = await getJson(`/console/api/messages?${query}`);
  if (data.error) return;

  const box = $('messages');
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
  box.replaceChildren(...data.messages.map(renderMessage));
  for (const ephemeral of data.ephemeral) {
    box.append(element('div', 'ephemeral', `${ephemeral.sender} (only visible to you): ${ephemeral.text}`));
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
  $('title').textContent = view.label;
}

function refresh() {
  loadConversations().then(loadMessages).catch(() => {});
}

$('user').addEventListener('change', (event) => {
  view.user = event.target.value;
  view.channel = '';
  $('messages').replaceChildren();
  refresh();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value;
  const file = $('file').files[0];
  if ((!text && !file) || !view.channel) return;
  if (file) {
    await shareFile(file, text);
    $('file').value = '';
  } else {
    await postJson('/console/api/post', { user: view.user, channel: view.channel, text });
  }
  $('text').value = '';
  refresh();
});

loadUsers().then(refresh);
setInterval(refresh, POLL_MS);
