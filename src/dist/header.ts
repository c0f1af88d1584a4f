/**
 * The first bytes of a frame on an established connection (erl_ext_dist, "Distribution Header"):
 * pass-through frames carry terms each with its own version byte; the others carry the atom
 * cache header, alone or as the start or continuation of a fragmented message.
 */
export const enum FrameTag {
  /** The external term format version byte that starts every versioned term and header. */
  Version = 131,
  /** A frame of plain versioned terms, when neither DIST_HDR_ATOM_CACHE nor FRAGMENTS is on. */
  PassThrough = 112,
  /** 131,68: the distribution header with atom cache references. */
  Header = 68,
  /** 131,69: the first fragment of a message, with sequence id, count and the header. */
  FragmentStart = 69,
  /** 131,70: a continuation fragment. */
  FragmentCont = 70,
}

/** OTP fragments messages larger than this when FRAGMENTS is negotiated; so do we. */
export const FRAGMENT_SIZE = 64 * 1024;
