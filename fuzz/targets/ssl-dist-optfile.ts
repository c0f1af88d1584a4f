/**
 * The reader of erl's `-ssl_dist_optfile` (one Erlang term of `{server, [...]}` and
 * `{client, [...]}` option lists) fed hostile text: every refusal must be an
 * `SslDistOptionError` naming the file, never a crash of the reader.
 *
 * Input: the file's text, as UTF-8.
 */
import { parseSslDistOptfile, SslDistOptionError } from '../../handshake';
import type { FuzzTarget } from '../target';

/** Optfiles as the TLS tests write them (test/support/tls.ts) and erl's documentation shows them. */
const OPTFILES = [
  `%% written by test/support/tls.ts
[{server, [{certfile, "/certs/node.pem"}, {keyfile, "/certs/node-key.pem"}, {cacertfile, "/certs/ca.pem"}, {verify, verify_peer}, {fail_if_no_peer_cert, true}, {versions, ['tlsv1.3']}]},
 {client, [{certfile, "/certs/node.pem"}, {keyfile, "/certs/node-key.pem"}, {cacertfile, "/certs/ca.pem"}, {verify, verify_peer}, {versions, ['tlsv1.3']}]}].
`,
  `[{server,
  [{certfile, "/etc/ssl/node.pem"},   % the node's certificate
   {keyfile, <<"/etc/ssl/node-key.pem">>},
   {secure_renegotiate, true},
   {versions, ['tlsv1.2', 'tlsv1.3']},
   {ciphers, ["TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"]},
   {depth, 2}]},
 {client,
  [{verify, verify_none},
   {server_name_indication, disable},
   {password, "s3cret"}]}].
`,
  `[{client, [{verify, verify_none}, {ciphers, "A:B"}, {server_name_indication, "node.example"}]}].`,
];

const ORIGIN = '/etc/erl/ssl_dist.conf';

export const target: FuzzTarget = {
  name: 'ssl-dist-optfile',
  covers: ['handshake/ssl-dist-optfile.ts', 'handshake/transport/ssl-options.ts'],
  seeds: () => OPTFILES.map((text) => Buffer.from(text, 'utf8')),
  run(input) {
    parseSslDistOptfile(input.toString('utf8'), ORIGIN);
  },
  expected: (error) => error instanceof SslDistOptionError,
  dictionary: [
    'server',
    'client',
    'certfile',
    'verify_peer',
    'ciphers',
    'versions',
    'server_name_indication',
    '<<"',
    '"',
    "'tlsv1.3'",
    '}].',
  ].map((token) => Buffer.from(token)),
};
