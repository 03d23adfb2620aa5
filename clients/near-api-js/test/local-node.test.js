// near-api-js (the version pinned in package-lock.json) against the local
// node (crates/local-node) with the four AI Commons contracts deployed
// (--community). The test starts the node on a free port, drives it as a
// front end would, and stops it.
//
// The node binary: $LOCAL_NODE_BIN, else <repo>/target/debug/local-node
// (`cargo build -p local-node`; scripts/js-clients.sh builds it first).
// Run: `npm test` here, or `bash scripts/js-clients.sh` from the repository.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  Account,
  actions,
  baseEncode,
  createTransaction,
  JsonRpcProvider,
  KeyPair,
  KeyPairEd25519,
  KeyPairSigner,
  baseDecode,
  nearToYocto,
  teraToGas,
} from 'near-api-js';
import { InvalidNonceError } from 'near-api-js/rpc-errors';

const REPO = path.resolve(import.meta.dirname, '../../..');
const NODE_BIN = process.env.LOCAL_NODE_BIN || path.join(REPO, 'target/debug/local-node');
// Where the node's --community start built the suite's wasm (crates/wasm-build).
const WASM_DIR = path.join(process.env.WASM_TARGET_DIR || path.join(REPO, 'target/wasm'), 'wasm32-unknown-unknown/release/opt');
// Starting with --community may build the contracts' wasm first (minutes when cold).
const START_TIMEOUT_MS = 15 * 60 * 1000;

const ROOT = 'test.near';
const DAO = `dao.${ROOT}`;
const REGISTRY = `registry.${ROOT}`;
const CONSENT = `consent.${ROOT}`;
const ATTESTATION = `attestation.${ROOT}`;
const ALICE = `alice.${ROOT}`;
const BOB = `bob.${ROOT}`;

let node; // the child process
let keyDir;
let url;
let provider;
let root; // Account of test.near with the key the node wrote

/** Starts the node and resolves with its stdout lines up to `ready`. */
function startNode() {
  if (!existsSync(NODE_BIN)) {
    throw new Error(`local-node binary not found at ${NODE_BIN}: run \`cargo build -p local-node\` or set LOCAL_NODE_BIN`);
  }
  keyDir = mkdtempSync(path.join(tmpdir(), 'najs-keys-'));
  node = spawn(NODE_BIN, ['--port', '0', '--community', '--key-dir', keyDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = [];
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('local-node did not print `ready` in time')), START_TIMEOUT_MS);
    node.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local-node exited with ${code} before it was ready:\n${lines.join('\n')}`));
    });
    node.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        if (line === 'ready') {
          clearTimeout(timer);
          node.removeAllListeners('exit');
          resolve(lines);
        }
      }
    });
  });
}

/** The development key the node's genesis gives `accountId` (ed25519 from the
 * account id as seed, space-padded to 32 bytes, as near-crypto's `from_seed`). */
function devKey(accountId) {
  const seed = new Uint8Array(32).fill(0x20);
  seed.set(new TextEncoder().encode(accountId).slice(0, 32));
  const publicKey = new KeyPairEd25519(baseEncode(seed)).getPublicKey().data;
  return new KeyPairEd25519(baseEncode(new Uint8Array([...seed, ...publicKey])));
}

/** A provider that records the errors of the transactions it sends. */
class RecordingProvider extends JsonRpcProvider {
  sendErrors = [];
  async sendTransactionUntil(signedTransaction, waitUntil) {
    try {
      return await super.sendTransactionUntil(signedTransaction, waitUntil);
    } catch (error) {
      this.sendErrors.push(error);
      throw error;
    }
  }
}

/** The NEP-297 events of a transaction's outcome, in order. */
function events(outcome) {
  return [outcome.transaction_outcome, ...outcome.receipts_outcome]
    .flatMap((o) => o.outcome.logs)
    .filter((log) => log.startsWith('EVENT_JSON:'))
    .map((log) => JSON.parse(log.slice('EVENT_JSON:'.length)));
}

const view = (contractId, method, args = {}) => provider.callFunction({ contractId, method, args });

/** A fresh sub-account of the root with a random key and `near` NEAR. */
async function freshAccount(name, near = '10') {
  const keyPair = KeyPair.fromRandom('ed25519');
  const id = `${name}.${ROOT}`;
  await root.createSubAccount({ accountOrPrefix: id, publicKey: keyPair.getPublicKey(), nearToTransfer: nearToYocto(near) });
  return new Account(id, provider, new KeyPairSigner(keyPair));
}

before(async () => {
  const lines = await startNode();
  url = lines[0];
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the first line is the URL');
  for (const id of [DAO, REGISTRY, CONSENT, ATTESTATION]) {
    assert.ok(lines.some((l) => l.startsWith('community ') && l.endsWith(`: ${id}`)), `the node deployed ${id}`);
  }
  provider = new JsonRpcProvider({ url });
  const keyFile = JSON.parse(readFileSync(path.join(keyDir, 'localnet', `${ROOT}.json`), 'utf8'));
  assert.equal(keyFile.account_id, ROOT);
  root = new Account(ROOT, provider, KeyPairSigner.fromSecretKey(keyFile.private_key));
});

after(async () => {
  if (node && node.exitCode === null) {
    const exited = new Promise((resolve) => node.on('exit', resolve));
    node.kill('SIGINT');
    await exited;
  }
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

test('node status and the root key it wrote', async () => {
  const status = await provider.viewNodeStatus();
  assert.equal(status.chain_id, 'embedded');
  const keyFile = JSON.parse(readFileSync(path.join(keyDir, 'localnet', `${ROOT}.json`), 'utf8'));
  const keys = await root.getAccessKeyList();
  assert.ok(keys.keys.some((k) => k.public_key === keyFile.public_key), 'the keychain key is on test.near');
  // The council's keys are the genesis development keys, derived as the root's is.
  assert.equal(devKey(ROOT).getPublicKey().toString(), keyFile.public_key);
  const state = await root.getState();
  assert.ok(state.balance.available > nearToYocto('1000'));
});

test('deploys a contract (model-registry wasm) to a fresh account and calls it', async () => {
  const owner = await freshAccount('deployer', '20');
  const code = readFileSync(path.join(WASM_DIR, 'model_registry.wasm'));
  const outcome = await owner.signAndSendTransaction({
    receiverId: owner.accountId,
    actions: [
      actions.deployContract(code),
      actions.functionCall('new', { owner: owner.accountId, open_publishing: false }, teraToGas('30'), 0n),
    ],
  });
  assert.deepEqual(outcome.status, { SuccessValue: '' });
  assert.deepEqual(
    events(outcome).map((e) => [e.standard, e.event]),
    [['model_registry', 'registry_initialized']],
  );
  const codeView = await owner.getContractCode();
  assert.equal(Buffer.from(codeView.code_base64, 'base64').length, code.length);
  const config = await view(owner.accountId, 'get_config');
  assert.equal(config.owner, owner.accountId);
  assert.equal(config.open_publishing, false);
  // A change method of the deployed code, then its view.
  const publisher = `pub.${ROOT}`;
  await owner.callFunction({
    contractId: owner.accountId,
    methodName: 'add_publisher',
    args: { account_id: publisher },
    deposit: nearToYocto('0.01'),
  });
  assert.equal(await view(owner.accountId, 'is_publisher', { account_id: publisher }), true);
  // A second `new` is refused and changes nothing.
  const storage = (await owner.getState()).storageUsage;
  await assert.rejects(
    owner.callFunction({ contractId: owner.accountId, methodName: 'new', args: { owner: publisher } }),
    /The contract has already been initialized/,
  );
  assert.equal((await view(owner.accountId, 'get_config')).owner, owner.accountId);
  assert.equal((await owner.getState()).storageUsage, storage);
});

test('community-dao: add_proposal and vote, read the outcome back with tx and EXPERIMENTAL_tx_status', async () => {
  const alice = new Account(ALICE, provider, new KeyPairSigner(devKey(ALICE)));
  const bob = new Account(BOB, provider, new KeyPairSigner(devKey(BOB)));
  const kind = { type: 'text' };
  const description = 'near-api-js says hello';
  const deposit = await view(DAO, 'get_proposal_deposit', { proposer: ALICE, description, kind });
  const before = await view(DAO, 'get_proposals', {});

  const added = await alice.callFunctionRaw({
    contractId: DAO,
    methodName: 'add_proposal',
    args: { description, kind },
    deposit: BigInt(deposit),
  });
  const id = JSON.parse(Buffer.from(added.status.SuccessValue, 'base64').toString());
  assert.equal(Number(id), before.length);
  const added_events = events(added);
  assert.equal(added_events.length, 1);
  assert.equal(added_events[0].standard, 'community_dao');
  assert.equal(added_events[0].event, 'proposal_added');

  // The outcome as `tx` and EXPERIMENTAL_tx_status give it.
  const txHash = added.transaction_outcome.id;
  const status = await provider.viewTransactionStatus({ txHash, accountId: ALICE, waitUntil: 'FINAL' });
  assert.equal(status.transaction.hash, txHash);
  assert.equal(status.transaction.signer_id, ALICE);
  assert.equal(status.transaction.receiver_id, DAO);
  assert.deepEqual(status.status, added.status);
  assert.deepEqual(events(status), added_events);
  const withReceipts = await provider.viewTransactionStatusWithReceipts({ txHash, accountId: ALICE, waitUntil: 'FINAL' });
  assert.ok(withReceipts.receipts.length >= 1, 'EXPERIMENTAL_tx_status lists the receipts');
  const first = withReceipts.receipts.find((r) => r.receipt_id === withReceipts.transaction_outcome.outcome.receipt_ids[0]);
  assert.ok(first, 'the transaction outcome names its first receipt');
  assert.equal(first.receiver_id, DAO);
  const receipt = await provider.viewTransactionReceipt(first.receipt_id);
  assert.equal(receipt.receipt_id, first.receipt_id);

  const voted = await bob.callFunction({ contractId: DAO, methodName: 'vote', args: { id, choice: 'yes' } });
  assert.ok(voted !== null);
  const vote = await view(DAO, 'get_vote', { id, account_id: BOB });
  assert.equal(vote.voter, BOB);
  assert.equal(vote.choice, 'yes');
  const proposal = await view(DAO, 'get_proposal', { id });
  assert.equal(proposal.proposer, ALICE);
  assert.equal(proposal.description, description);

  // A vote by a stranger is refused with the contract's error and changes nothing.
  const stranger = await freshAccount('stranger');
  const daoStorage = (await provider.viewAccount({ accountId: DAO })).storage_usage;
  await assert.rejects(stranger.callFunction({ contractId: DAO, methodName: 'vote', args: { id, choice: 'no' } }), /caller is not a member/);
  assert.equal(await view(DAO, 'get_vote', { id, account_id: stranger.accountId }), null);
  assert.deepEqual(await view(DAO, 'get_proposal', { id }), proposal);
  assert.equal((await provider.viewAccount({ accountId: DAO })).storage_usage, daoStorage);
});

test('model-registry: register_model (open publishing) and its views', async () => {
  const publisher = await freshAccount('publisher');
  const config = await view(REGISTRY, 'get_config');
  assert.equal(config.owner, DAO);
  assert.equal(config.open_publishing, true);
  const digest = 'ab'.repeat(32);
  const out = await publisher.callFunctionRaw({
    contractId: REGISTRY,
    methodName: 'register_model',
    args: { model_id: 'najs-model', name: 'NAJS', task: 'text-generation', license: 'mit', card_uri: 'ipfs://najs', card_digest: digest },
    deposit: nearToYocto('0.02'),
  });
  assert.deepEqual(events(out).map((e) => e.event), ['model_registered']);
  const model = await view(REGISTRY, 'get_model', { model_id: 'najs-model' });
  assert.equal(model.publisher, publisher.accountId);
  assert.equal(model.card_digest, digest);
  assert.equal(BigInt((await view(REGISTRY, 'get_config')).model_count), BigInt(config.model_count) + 1n);
});

test('data-consent: storage_deposit, grant, is_allowed, revoke', async () => {
  const user = await freshAccount('user');
  const bounds = await view(CONSENT, 'storage_balance_bounds');
  const deposit = nearToYocto('0.05');
  assert.ok(deposit >= BigInt(bounds.min));
  await user.callFunction({ contractId: CONSENT, methodName: 'storage_deposit', args: {}, deposit });
  assert.equal(BigInt((await view(CONSENT, 'storage_balance_of', { account_id: user.accountId })).total), deposit);
  const args = { user: user.accountId, grantee: DAO, purpose: 'training' };
  assert.equal(await view(CONSENT, 'is_allowed', args), false);
  const grant = await user.callFunctionRaw({ contractId: CONSENT, methodName: 'grant', args: { grantee: DAO, purpose: 'training' } });
  assert.deepEqual(events(grant).map((e) => [e.standard, e.event]), [['data_consent', 'consent_granted']]);
  assert.equal(await view(CONSENT, 'is_allowed', args), true);
  await user.callFunction({ contractId: CONSENT, methodName: 'revoke', args: { grantee: DAO, purpose: 'training' } });
  assert.equal(await view(CONSENT, 'is_allowed', args), false);
});

test('inference-attestation: views of the wired contract', async () => {
  const config = await view(ATTESTATION, 'get_config');
  assert.equal(config.owner, DAO);
  assert.equal(config.registry, REGISTRY);
  assert.deepEqual(await view(ATTESTATION, 'get_attesters', {}), []);
  assert.equal(await view(ATTESTATION, 'get_attester', { operator: ALICE }), null);
  assert.equal(await view(ATTESTATION, 'get_receipt_count_by_requester', { requester: ALICE }), '0');
  // An unknown view method answers the VM's error, as neard words it.
  await assert.rejects(view(ATTESTATION, 'no_such_view'), /MethodNotFound|MethodResolveError/);
});

test('stale nonce: InvalidNonce, then a retry with the fresh nonce', async () => {
  const sender = await freshAccount('sender');
  const signer = sender.getSigner();
  const publicKey = await signer.getPublicKey();

  // By hand: a transaction with an already used nonce is refused and changes nothing.
  await sender.transfer({ receiverId: ROOT, amount: 1n });
  const key = await sender.getAccessKey(publicKey);
  const balance = (await sender.getState()).balance.total;
  const block = await provider.viewBlock({ finality: 'final' });
  const stale = createTransaction(sender.accountId, publicKey, ROOT, key.nonce, [actions.transfer(1n)], baseDecode(block.header.hash));
  const { signedTransaction } = await signer.signTransaction(stale);
  const refused = await provider.sendTransactionUntil(signedTransaction, 'EXECUTED_OPTIMISTIC').then(
    () => assert.fail('a stale nonce was accepted'),
    (e) => e,
  );
  assert.ok(refused instanceof InvalidNonceError, `InvalidNonceError, got ${refused}`);
  assert.equal(BigInt(refused.accessKeyNonce), BigInt(key.nonce));
  assert.equal(BigInt(refused.transactionNonce), BigInt(key.nonce));
  assert.equal((await sender.getAccessKey(publicKey)).nonce, key.nonce);
  assert.equal((await sender.getState()).balance.total, balance);
  // The same transfer with the fresh nonce goes through.
  const fresh = createTransaction(sender.accountId, publicKey, ROOT, BigInt(key.nonce) + 1n, [actions.transfer(1n)], baseDecode(block.header.hash));
  const retried = await provider.sendTransactionUntil((await signer.signTransaction(fresh)).signedTransaction, 'EXECUTED_OPTIMISTIC');
  assert.ok('SuccessValue' in retried.status);
  assert.equal((await sender.getAccessKey(publicKey)).nonce, BigInt(key.nonce) + 1n);

  // As near-api-js recovers: an Account whose cached nonce went stale (another
  // client used the key meanwhile) gets InvalidNonce, refreshes and retries.
  const recording = new RecordingProvider({ url });
  const tab1 = new Account(sender.accountId, recording, signer);
  const tab2 = new Account(sender.accountId, provider, signer);
  await tab1.transfer({ receiverId: ROOT, amount: 1n }); // caches its nonce
  await tab2.transfer({ receiverId: ROOT, amount: 1n }); // uses the next one
  const nonceBefore = (await sender.getAccessKey(publicKey)).nonce;
  const out = await tab1.transfer({ receiverId: ROOT, amount: 1n });
  assert.ok('SuccessValue' in out.status);
  assert.equal(recording.sendErrors.length, 1, 'one refused send before the retry');
  assert.ok(recording.sendErrors[0] instanceof InvalidNonceError);
  assert.equal((await sender.getAccessKey(publicKey)).nonce, BigInt(nonceBefore) + 1n);
});

test('inference-attestation: admit_attester through a passed DAO proposal, executed across contracts', async () => {
  const council = ['alice', 'bob', 'carol'].map((n) => new Account(`${n}.${ROOT}`, provider, new KeyPairSigner(devKey(`${n}.${ROOT}`))));
  const operator = `operator.${ROOT}`;
  const attesterKey = KeyPair.fromRandom('ed25519').getPublicKey().toString();
  const kind = {
    type: 'admit_attester', operator, public_keys: [attesterKey], tee_kind: 'intel-tdx',
    measurements: ['11'.repeat(32), '22'.repeat(32)], models: null, expires_at: null,
  };
  const description = 'Admit an attester from near-api-js';
  const deposit = await view(DAO, 'get_proposal_deposit', { proposer: council[0].accountId, description, kind });
  const id = await council[0].callFunction({ contractId: DAO, methodName: 'add_proposal', args: { description, kind }, deposit: BigInt(deposit) });
  for (const member of council) {
    if ((await view(DAO, 'get_proposal', { id })).status !== 'active') break;
    await member.callFunction({ contractId: DAO, methodName: 'vote', args: { id, choice: 'yes' } });
  }
  assert.equal((await view(DAO, 'get_proposal', { id })).status, 'passed');
  assert.equal(await view(ATTESTATION, 'get_attester', { operator }), null);

  const executed = await council[2].callFunctionRaw({ contractId: DAO, methodName: 'execute', args: { id }, gas: teraToGas('300') });
  // The execution spans receipts on both contracts; each logs its own event.
  const withReceipts = await provider.viewTransactionStatusWithReceipts({ txHash: executed.transaction_outcome.id, accountId: council[2].accountId });
  assert.ok(withReceipts.receipts.some((r) => r.receiver_id === ATTESTATION), 'a receipt ran on the attestation contract');
  assert.deepEqual(
    events(withReceipts).map((e) => `${e.standard}:${e.event}`),
    ['community_dao:proposal_execution_started', 'inference_attestation:attester_admitted', 'community_dao:proposal_executed'],
  );
  assert.equal((await view(DAO, 'get_proposal', { id })).status, 'executed');
  const attester = await view(ATTESTATION, 'get_attester', { operator });
  assert.equal(attester.active, true);
  assert.deepEqual(await view(ATTESTATION, 'get_attester_by_key', { public_key: attesterKey }), attester);
});
