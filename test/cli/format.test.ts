import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatMessage } from '../../src/cli/format.js';

test('format converts like the connectors', () => {
  assert.deepEqual(formatMessage('slack', 'xmpp', 'Tea &amp; cake :slightly_smiling_face:\n'), { ok: true, text: 'Tea & cake 🙂' });
  assert.deepEqual(formatMessage('xmpp', 'webex', 'a *bold* move'), { ok: true, text: 'a **bold** move' });
  assert.deepEqual(formatMessage('webex', 'slack', '**big** & <small>'), { ok: true, text: '*big* &amp; &lt;small&gt;' });
  assert.deepEqual(formatMessage('slack', 'webex', 'no formatting here'), { ok: true, text: 'no formatting here' });
});

test('format names a wrong platform', () => {
  assert.deepEqual(formatMessage('teams', 'webex', 'x'), { ok: false, text: 'parley: --from "teams" is not a platform; use one of webex, slack, xmpp, plain.' });
  assert.deepEqual(formatMessage('slack', undefined, 'x'), { ok: false, text: 'parley: format needs --to PLATFORM, one of webex, slack, xmpp, plain.' });
});
