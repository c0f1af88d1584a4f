/** EPMD request and reply tags (erts/epmd/src/epmd.h). */
export const enum EpmdTag {
  Alive2Request = 120, // 'x'
  Alive2Reply = 121, // 'y': u16 creation, for nodes whose highest version is below 6
  Alive2ExtendedReply = 118, // 'v': u32 creation
  PortPlease2Request = 122, // 'z'
  Port2Reply = 119, // 'w'
  NamesRequest = 110, // 'n'
}

/** What erl sends in ALIVE2_REQ (erl_epmd.erl, epmd.mk), and so do we. */
export const enum EpmdRegistrationDefaults {
  NodeType = 77, // 'M': a normal Erlang node; erl_interface C nodes send 72
  Protocol = 0, // TCP/IPv4
  HighestVersion = 6,
  LowestVersion = 5,
}

/** Longest node name part EPMD accepts, in characters. */
export const MAX_EPMD_NAME_CHARACTERS = 255;
