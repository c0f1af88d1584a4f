/**
 * The layering of /work/shared/DESIGN.md, checked by `npm run layers` (dependency-cruiser).
 * Lowest layer first; each may import only the layers below it (and Node's built-ins):
 *
 *   codec/                 Node built-ins, codec/
 *   handshake/transport/   Node built-ins
 *   handshake/epmd/        handshake/transport/
 *   handshake/*.ts         codec/, handshake/transport/; handshake/epmd/ only from connect.ts, index.ts
 *   src/dist/              codec/, handshake/
 *   src/process/           codec/
 *   src/gen/               codec/, src/process/
 *   src/rpc/               codec/, src/process/, src/gen/, src/dist/
 *   src/global/, src/pg/   codec/, src/process/, src/gen/ (the cluster services: global, pg scopes)
 *   src/node/              all of the above
 *   src/chan/              codec/, handshake/transport/, src/kvs/store.ts (lib_chan: no distribution;
 *                          its name server keeps the same store as kvs)
 *   src/kvs/, src/demo/    all of the above but src/chan/
 *   src/phoenix/           the same: src/node/ and the layers below it (Phoenix.PubSub over pg)
 *   src/commands/, src/cli.ts, src/index.ts   anything in the library
 *   test/, bench/, fuzz/   anything; nothing in codec/, handshake/ or src/ imports them
 *
 * A layer may always import its own folder. Type-only imports count (tsPreCompilationDeps), so a
 * layer cannot lean on a higher one even for a type.
 */

/** "LAYER may import only ..." as one rule: anything else that is not a Node built-in fails. */
function only(name, from, allowed, what) {
  return {
    name,
    severity: 'error',
    comment: `${what}`,
    from: typeof from === 'string' ? { path: from } : from,
    // An import that does not resolve is not-to-unresolvable's to report, not this rule's.
    to: { pathNot: allowed, dependencyTypesNot: ['core'], couldNotResolve: false },
  };
}

const CODEC = '^codec/';
const TRANSPORT = '^handshake/transport/';
const EPMD = '^handshake/epmd/';
const HANDSHAKE = '^handshake/';
const HANDSHAKE_ROOT = '^handshake/[^/]+$';
const DIST = '^src/dist/';
const PROCESS = '^src/process/';
const GEN = '^src/gen/';
const RPC = '^src/rpc/';
const NODE = '^src/node/';
const GLOBAL = '^src/global/';
const PG = '^src/pg/';
const CHAN = '^src/chan/';
const LIBRARY = '^(codec|handshake|src)/';
const TERM_MODEL = '^codec/(terms|erlmap|compare|hash)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules on it cannot be layered. Move what they share down a layer.',
      from: {},
      // The one exception: the term model is one recursive type split over four files (a Term may
      // be an ErlMap, whose keys are Terms, ordered and hashed by compare.ts and hash.ts, which
      // recognise ErlMaps). Cycles among exactly these four pass; any cycle reaching further fails.
      to: { circular: true, via: { pathNot: TERM_MODEL } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import does not resolve to a file or an installed package.',
      // bin/erlbridge.js loads the build output (dist/), which exists only after a build.
      from: { pathNot: '^bin/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A library module nothing imports and that imports nothing: dead code, or a missing import.',
      from: {
        orphan: true,
        path: LIBRARY,
        // Entry scripts, run on their own (the EPMD daemon, before and after the move to epmd/).
        pathNot: ['^handshake/epmd-daemon\\.ts$', '^handshake/epmd/daemon\\.ts$', '\\.d\\.ts$'],
      },
      to: {},
    },
    {
      name: 'library-not-to-test-bench-or-fuzz',
      severity: 'error',
      comment: 'codec/, handshake/ and src/ may not import from test/, bench/ or fuzz/.',
      from: { path: LIBRARY },
      to: { path: '^(test|bench|fuzz)/' },
    },
    {
      name: 'library-not-to-dev-dep',
      severity: 'error',
      comment: 'codec/, handshake/ and src/ may not import a devDependency: it is not installed with the package.',
      from: { path: LIBRARY },
      to: { dependencyTypes: ['npm-dev'] },
    },

    only('layer-codec', CODEC, [CODEC], 'codec/ may import only Node built-ins and codec/.'),
    only('layer-handshake-transport', TRANSPORT, [TRANSPORT], 'handshake/transport/ may import only Node built-ins.'),
    only('layer-handshake-epmd', EPMD, [EPMD, TRANSPORT], 'handshake/epmd/ may import only handshake/transport/ (and Node built-ins).'),
    only(
      'layer-handshake-root',
      HANDSHAKE_ROOT,
      [HANDSHAKE, CODEC],
      'handshake/*.ts may import only codec/ and handshake/ (not src/, test/, bench/ or packages).',
    ),
    {
      name: 'layer-handshake-root-not-to-epmd',
      severity: 'error',
      comment: 'handshake/*.ts may not import handshake/epmd/; only handshake/connect.ts and handshake/index.ts may.',
      from: { path: HANDSHAKE_ROOT, pathNot: '^handshake/(connect|index)\\.ts$' },
      to: { path: EPMD },
    },
    {
      name: 'layer-handshake-root-subfolders',
      severity: 'error',
      comment:
        'handshake/*.ts may import only handshake/transport/ and (connect.ts, index.ts) handshake/epmd/ of the handshake/ subfolders.',
      from: { path: HANDSHAKE_ROOT },
      to: { path: '^handshake/[^/]+/', pathNot: [TRANSPORT, EPMD] },
    },
    only('layer-src-dist', DIST, [DIST, CODEC, HANDSHAKE], 'src/dist/ may import only codec/ and handshake/.'),
    only('layer-src-process', PROCESS, [PROCESS, CODEC], 'src/process/ may import only codec/.'),
    only('layer-src-gen', GEN, [GEN, CODEC, PROCESS], 'src/gen/ may import only codec/ and src/process/.'),
    only('layer-src-rpc', RPC, [RPC, CODEC, PROCESS, GEN, DIST], 'src/rpc/ may import only codec/, src/process/, src/gen/ and src/dist/.'),
    only('layer-src-global', GLOBAL, [GLOBAL, CODEC, PROCESS, GEN], 'src/global/ may import only codec/, src/process/ and src/gen/.'),
    only('layer-src-pg', PG, [PG, CODEC, PROCESS, GEN], 'src/pg/ may import only codec/, src/process/ and src/gen/.'),
    only(
      'layer-src-node',
      NODE,
      [NODE, CODEC, HANDSHAKE, DIST, PROCESS, GEN, RPC, GLOBAL, PG],
      'src/node/ may import only codec/, handshake/, src/dist/, src/process/, src/gen/, src/rpc/, src/global/ and src/pg/.',
    ),
    only(
      'layer-src-chan',
      CHAN,
      [CHAN, CODEC, TRANSPORT, '^src/kvs/store\\.ts$'],
      'src/chan/ (lib_chan) may import only codec/, handshake/transport/ and the kvs store (src/kvs/store.ts).',
    ),
    only(
      'layer-src-kvs-demo',
      '^src/(kvs|demo)/',
      ['^src/(kvs|demo)/', NODE, CODEC, HANDSHAKE, DIST, PROCESS, GEN, RPC, GLOBAL, PG],
      'src/kvs/ and src/demo/ may import only src/node/ and the layers below it (not src/chan/, src/commands/, src/cli.ts, src/index.ts).',
    ),
    only(
      'layer-src-phoenix',
      '^src/phoenix/',
      ['^src/phoenix/', NODE, CODEC, HANDSHAKE, DIST, PROCESS, GEN, RPC, GLOBAL, PG],
      'src/phoenix/ (Phoenix.PubSub) may import only src/node/ and the layers below it (not src/chan/, src/kvs/, src/demo/, src/commands/, src/cli.ts, src/index.ts).',
    ),
    {
      name: 'layer-src-top',
      severity: 'error',
      comment: 'src/commands/, src/cli.ts and src/index.ts may import only the library (codec/, handshake/, src/).',
      from: { path: ['^src/commands/', '^src/(cli|index)\\.ts$'] },
      to: { pathNot: LIBRARY, dependencyTypesNot: ['core'] },
    },
  ],

  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^bench/\\.build/', '^docs/api/', '^coverage/', '^fuzz/(corpus|findings)/'] },
    moduleSystems: ['cjs', 'es6'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
