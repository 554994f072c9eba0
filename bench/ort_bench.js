#!/usr/bin/env node
// ort_bench.js: times ONNX Runtime (onnxruntime-node, CPU execution provider) on one model folder
// in the ONNX backend-test layout, the same way bench/model_bench.cpp times inlay, so that
// tools/bench-models can put the two side by side (docs/bench.md).
//
//   node bench/ort_bench.js DIR [--threads N] [--warmup N] [--runs N] [--min-time S] [--ort-dir D]
//   node bench/ort_bench.js DIR --serve [--threads N] [--warmup N] [--ort-dir D]
//
// Session: intra-op threads N, inter-op 1, sequential execution, graph optimization "all" (ORT's
// defaults for a latency measurement). Inputs: DIR/test_data_set_0/input_K.pb. One load
// (InferenceSession.create), one first run, `warmup` untimed runs, then timed runs of
// `await session.run(feeds)` until both `runs` and `min-time` are reached. Prints one JSON line.
// --serve: the protocol of inlay_model_bench --serve (a "ready" line; per stdin line
// "SECONDS [MIN_RUNS [MAX_RUNS]]" one {"times_ms":[...],"cpu_ms":[...]} line; at end of input a {"done":true,...}
// line).
// onnxruntime-node is looked up in --ort-dir D (D/node_modules/onnxruntime-node), else
// $ORT_NODE_DIR, else the normal require() resolution.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function parseArgs(argv) {
  const o = { dir: null, threads: 1, warmup: 3, runs: 10, minTime: 0.5, serve: false, ortDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value after ${a}`);
      return argv[++i];
    };
    if (a === '--threads') o.threads = Number(value());
    else if (a === '--warmup') o.warmup = Number(value());
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--min-time') o.minTime = Number(value());
    else if (a === '--ort-dir') o.ortDir = value();
    else if (a === '--serve') o.serve = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (o.dir === null) o.dir = a;
    else throw new Error('one model folder only');
  }
  if (o.dir === null) throw new Error('no model folder');
  for (const k of ['threads', 'warmup', 'runs', 'minTime']) {
    if (!(o[k] >= 0)) throw new Error(`bad value for ${k}`);
  }
  return o;
}

function loadOrt(ortDir) {
  const candidates = [];
  for (const d of [ortDir, process.env.ORT_NODE_DIR]) {
    if (d) candidates.push(path.join(path.resolve(d), 'node_modules', 'onnxruntime-node'));
  }
  candidates.push('onnxruntime-node');
  const errors = [];
  for (const c of candidates) {
    try { return require(c); } catch (e) { errors.push(`${c}: ${e.message.split('\n')[0]}`); }
  }
  throw new Error(`cannot load onnxruntime-node (${errors.join('; ')})`);
}

// ---- onnx.TensorProto (protobuf wire format): dims = 1, data_type = 2, float_data = 4,
// int32_data = 5, int64_data = 7, name = 8, raw_data = 9, double_data = 10.
function varint(buf, pos) {
  let v = 0n, shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    v |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [v, pos];
    shift += 7n;
  }
}

// ONNX data_type -> [onnxruntime type name, TypedArray]
const TYPES = {
  1: ['float32', Float32Array], 2: ['uint8', Uint8Array], 3: ['int8', Int8Array],
  5: ['int16', Int16Array], 6: ['int32', Int32Array], 7: ['int64', BigInt64Array],
  9: ['bool', Uint8Array], 11: ['float64', Float64Array],
};

function readTensor(file) {
  const buf = fs.readFileSync(file);
  const t = { dims: [], type: 0, name: '', raw: null, values: [] };
  let pos = 0;
  const scalars = (field, wire, read) => {  // packed (wire 2) or one element
    if (wire !== 2) { pos = read(pos); return; }
    let n; [n, pos] = varint(buf, pos);
    const end = pos + Number(n);
    while (pos < end) pos = read(pos);
  };
  while (pos < buf.length) {
    let key; [key, pos] = varint(buf, pos);
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (field === 1) scalars(field, wire, p => { let v; [v, p] = varint(buf, p); t.dims.push(Number(BigInt.asIntN(64, v))); return p; });
    else if (field === 2) { let v; [v, pos] = varint(buf, pos); t.type = Number(v); }
    else if (field === 4) scalars(field, wire, p => { t.values.push(buf.readFloatLE(p)); return p + 4; });
    else if (field === 10) scalars(field, wire, p => { t.values.push(buf.readDoubleLE(p)); return p + 8; });
    else if (field === 5 || field === 7) scalars(field, wire, p => { let v; [v, p] = varint(buf, p); t.values.push(BigInt.asIntN(64, v)); return p; });
    else if (wire === 2) {
      let n; [n, pos] = varint(buf, pos);
      const bytes = buf.subarray(pos, pos + Number(n));
      pos += Number(n);
      if (field === 8) t.name = bytes.toString('utf8');
      if (field === 9) t.raw = bytes;
    } else if (wire === 0) [, pos] = varint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`${file}: unsupported wire type ${wire}`);
  }
  const info = TYPES[t.type];
  if (!info) throw new Error(`${file}: unsupported data_type ${t.type}`);
  const [typeName, Array_] = info;
  const count = t.dims.reduce((a, b) => a * b, 1);
  let data;
  if (t.raw) {
    const copy = new Uint8Array(t.raw.length);  // aligned for the typed view
    copy.set(t.raw);
    data = new Array_(copy.buffer, 0, count);
  } else {
    data = new Array_(count);
    for (let i = 0; i < count; i++) {
      data[i] = Array_ === BigInt64Array ? BigInt(t.values[i]) : Number(t.values[i]);
    }
  }
  return { name: t.name, type: typeName, dims: t.dims, data };
}

function statusKib(field) {
  const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s*(\\d+)`, 'm'));
  return m ? Number(m[1]) : 0;
}

const now = () => process.hrtime.bigint();
const msSince = t0 => Number(now() - t0) / 1e6;

// Per call: wall time and CPU time of the process (all threads) in ms, as model_bench.cpp.
async function timedRuns(session, feeds, minRuns, minSeconds, maxRuns = Infinity) {
  const wall = [], cpu = [];
  const start = now();
  while (wall.length < maxRuns && (wall.length < minRuns || msSince(start) < minSeconds * 1e3)) {
    const t0 = now();
    const c0 = process.cpuUsage();
    await session.run(feeds);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
    wall.push(msSince(t0));
  }
  return { wall, cpu };
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round(q * (s.length - 1))];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const name = path.basename(path.resolve(o.dir));
  const head = { tool: 'ort', model: name, threads: o.threads };
  try {
    const ort = loadOrt(o.ortDir);
    const rssBase = statusKib('VmRSS');  // Node and the ORT library, before the model
    const dataDir = path.join(o.dir, 'test_data_set_0');
    const inputFiles = fs.readdirSync(dataDir).filter(f => /^input_\d+\.pb$/.test(f))
      .sort((a, b) => Number(a.match(/\d+/)[0]) - Number(b.match(/\d+/)[0]));
    const tLoad = now();
    const session = await ort.InferenceSession.create(path.join(o.dir, 'model.onnx'), {
      executionProviders: ['cpu'], intraOpNumThreads: o.threads, interOpNumThreads: 1,
      executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3,
    });
    const loadMs = msSince(tLoad);
    const feeds = {};
    inputFiles.forEach((f, i) => {
      const t = readTensor(path.join(dataDir, f));
      const key = session.inputNames.includes(t.name) ? t.name : session.inputNames[i];
      feeds[key] = new ort.Tensor(t.type, t.data, t.dims);
    });
    const tFirst = now();
    await session.run(feeds);
    const firstRunMs = msSince(tFirst);
    for (let i = 0; i < o.warmup; i++) await session.run(feeds);
    const facts = { ...head, version: ort.env.versions ? ort.env.versions.common : undefined,
                    load_ms: loadMs, first_run_ms: firstRunMs, rss_base_kib: rssBase };
    if (o.serve) {
      console.log(JSON.stringify({ ...facts, ready: true }));
      const lines = readline.createInterface({ input: process.stdin, terminal: false });
      for await (const line of lines) {
        const [seconds, minRuns, maxRuns] = line.trim().split(/\s+/).map(Number);
        const t = await timedRuns(session, feeds, minRuns || 1, seconds || 0, maxRuns || Infinity);
        console.log(JSON.stringify({ times_ms: t.wall, cpu_ms: t.cpu }));
      }
      console.log(JSON.stringify({ done: true, peak_rss_kib: statusKib('VmHWM'), rss_base_kib: rssBase }));
      return;
    }
    const t = await timedRuns(session, feeds, o.runs, o.minTime);
    console.log(JSON.stringify({ ...facts, n: t.wall.length, median_ms: quantile(t.wall, 0.5),
                                 p10_ms: quantile(t.wall, 0.1), p90_ms: quantile(t.wall, 0.9),
                                 cpu_median_ms: quantile(t.cpu, 0.5),
                                 peak_rss_kib: statusKib('VmHWM') }));
  } catch (e) {
    console.log(JSON.stringify({ ...head, error: String(e.message || e).split('\n')[0] }));
    process.exitCode = 2;
  }
}

main();
