/*
 * The kvs of `npm run bench -- peers` as a jinterface node: one OtpNode, one OtpMbox registered as
 * kvs, served by the main thread from a HashMap.
 *
 *   java -cp OtpErlang.jar:DIR JinterfaceKvs NAME COOKIE   (EPMD's port from ERL_EPMD_PORT)
 *
 * {From, {store, K, V}} -> {kvs, true}; {From, {lookup, K}} -> {kvs, {ok, V}} or {kvs, undefined}.
 * OtpNode answers net_kernel's is_auth itself. Prints "READY name@host"; exits when stdin closes.
 */
import com.ericsson.otp.erlang.OtpErlangAtom;
import com.ericsson.otp.erlang.OtpErlangObject;
import com.ericsson.otp.erlang.OtpErlangPid;
import com.ericsson.otp.erlang.OtpErlangTuple;
import com.ericsson.otp.erlang.OtpMbox;
import com.ericsson.otp.erlang.OtpNode;
import java.util.HashMap;

public final class JinterfaceKvs {
  private static final OtpErlangAtom KVS = new OtpErlangAtom("kvs");
  private static final OtpErlangAtom STORE = new OtpErlangAtom("store");
  private static final OtpErlangAtom LOOKUP = new OtpErlangAtom("lookup");
  private static final OtpErlangAtom OK = new OtpErlangAtom("ok");
  private static final OtpErlangTuple STORED = new OtpErlangTuple(new OtpErlangObject[] {KVS, new OtpErlangAtom("true")});
  private static final OtpErlangTuple NOT_FOUND = new OtpErlangTuple(new OtpErlangObject[] {KVS, new OtpErlangAtom("undefined")});

  public static void main(String[] args) throws Exception {
    OtpNode node = new OtpNode(args[0], args[1]);
    OtpMbox mbox = node.createMbox("kvs");
    Thread stdinWatch = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // wait for EOF: the bench has gone
        }
      } catch (Exception e) {
        // the same
      }
      System.exit(0);
    });
    stdinWatch.setDaemon(true);
    stdinWatch.start();
    System.out.println("READY " + node.node());
    System.out.flush();

    HashMap<OtpErlangObject, OtpErlangObject> table = new HashMap<>();
    for (;;) {
      OtpErlangObject message = mbox.receive();
      if (!(message instanceof OtpErlangTuple)) continue;
      OtpErlangTuple t = (OtpErlangTuple) message;
      if (t.arity() != 2 || !(t.elementAt(0) instanceof OtpErlangPid) || !(t.elementAt(1) instanceof OtpErlangTuple)) continue;
      OtpErlangPid from = (OtpErlangPid) t.elementAt(0);
      OtpErlangTuple q = (OtpErlangTuple) t.elementAt(1);
      if (q.arity() == 3 && STORE.equals(q.elementAt(0))) {
        table.put(q.elementAt(1), q.elementAt(2));
        mbox.send(from, STORED);
      } else if (q.arity() == 2 && LOOKUP.equals(q.elementAt(0))) {
        OtpErlangObject value = table.get(q.elementAt(1));
        mbox.send(from, value == null ? NOT_FOUND : new OtpErlangTuple(new OtpErlangObject[] {KVS, new OtpErlangTuple(new OtpErlangObject[] {OK, value})}));
      }
    }
  }
}
