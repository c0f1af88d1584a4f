/**
 * The part of `net_kernel` other nodes talk to: `{'$gen_call', From, {is_auth, Node}}`, which is
 * what `net_adm:ping` sends, answered `yes`. Anything else is dropped, as net_kernel ignores it.
 */
import { Term, Tuple } from '../../codec';
import { genReply } from '../gen/reply';
import type { ErlProcess } from '../process/process';
import type { BuiltinServer } from './builtins';
import { GEN_CALL, IS_AUTH, YES } from '../process/atoms';

/** net_kernel as a built-in server; replies are sent from `sender`. */
export function netKernel(sender: ErlProcess): BuiltinServer {
  return (message: Term) => {
    if (!(message instanceof Tuple) || message.length !== 3 || message.get(0) !== GEN_CALL) return;
    const replyTo = message.get(1);
    const request = message.get(2);
    if (!(replyTo instanceof Tuple) || replyTo.length !== 2 || !(request instanceof Tuple) || request.get(0) !== IS_AUTH) return;
    genReply(sender, replyTo.get(0), replyTo.get(1), YES);
  };
}
