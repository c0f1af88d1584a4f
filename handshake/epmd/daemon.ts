/**
 * Entry script of the detached EPMD process that {@link ensureEpmd} starts:
 * `node daemon.js PORT`. It serves until killed. When the port is already taken another EPMD
 * won the race, and it exits quietly, as `epmd -daemon` does.
 */
import { EpmdServer } from './server';

EpmdServer.start({ port: Number(process.argv[2]) }).catch((error: NodeJS.ErrnoException) => {
  process.exitCode = error.code === 'EADDRINUSE' ? 0 : 1;
});
