/*
 * The kvs of `npm run bench -- peers` as an ei C node: single-threaded, one connection at a time.
 *
 *   ei_kvs NAME COOKIE      (EPMD's port from ERL_EPMD_PORT, as erl and ei read it)
 *
 * Registered name `kvs`: {From, {store, K, V}} -> {kvs, true}; {From, {lookup, K}} -> {kvs, {ok, V}}
 * or {kvs, undefined}. Keys and values are kept as their encoded bytes. It also answers net_kernel's
 * {'$gen_call', {From, Tag}, {is_auth, Node}} with {Tag, yes}, as erl does, or net_adm:ping hangs.
 * Prints "READY name@host" once published. Dies with its parent (PR_SET_PDEATHSIG).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "ei.h"

#define BUCKETS 1024

struct entry {
  struct entry *next;
  char *key;
  int key_len;
  char *value;
  int value_len;
};

static struct entry *table[BUCKETS];

static unsigned hash_bytes(const char *bytes, int len) {
  unsigned h = 2166136261u; /* FNV-1a */
  for (int i = 0; i < len; i++) h = (h ^ (unsigned char)bytes[i]) * 16777619u;
  return h % BUCKETS;
}

static struct entry *find(const char *key, int key_len) {
  for (struct entry *e = table[hash_bytes(key, key_len)]; e; e = e->next)
    if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0) return e;
  return NULL;
}

static void store(const char *key, int key_len, const char *value, int value_len) {
  struct entry *e = find(key, key_len);
  if (!e) {
    unsigned b = hash_bytes(key, key_len);
    e = calloc(1, sizeof *e);
    e->key = malloc(key_len);
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->next = table[b];
    table[b] = e;
  }
  free(e->value);
  e->value = malloc(value_len);
  memcpy(e->value, value, value_len);
  e->value_len = value_len;
}

static int is_atom(const char *buf, int *index, const char *name) {
  char atom[MAXATOMLEN_UTF8];
  return ei_decode_atom(buf, index, atom) == 0 && strcmp(atom, name) == 0;
}

/* {From, {store, K, V}} or {From, {lookup, K}}: the reply in `reply`, or -1 for anything else. */
static int kvs(const char *buf, erlang_pid *from, ei_x_buff *reply) {
  int index = 0, version, arity;
  if (ei_decode_version(buf, &index, &version) || ei_decode_tuple_header(buf, &index, &arity) || arity != 2) return -1;
  if (ei_decode_pid(buf, &index, from) || ei_decode_tuple_header(buf, &index, &arity)) return -1;
  int tag = index;
  if (arity == 3 && is_atom(buf, &tag, "store")) {
    int key = tag;
    if (ei_skip_term(buf, &tag)) return -1;
    int value = tag;
    if (ei_skip_term(buf, &tag)) return -1;
    store(buf + key, value - key, buf + value, tag - value);
    ei_x_encode_tuple_header(reply, 2);
    ei_x_encode_atom(reply, "kvs");
    ei_x_encode_atom(reply, "true");
    return 0;
  }
  tag = index;
  if (arity == 2 && is_atom(buf, &tag, "lookup")) {
    int key = tag;
    if (ei_skip_term(buf, &tag)) return -1;
    struct entry *e = find(buf + key, tag - key);
    ei_x_encode_tuple_header(reply, 2);
    ei_x_encode_atom(reply, "kvs");
    if (!e) {
      ei_x_encode_atom(reply, "undefined");
    } else {
      ei_x_encode_tuple_header(reply, 2);
      ei_x_encode_atom(reply, "ok");
      ei_x_append_buf(reply, e->value, e->value_len);
    }
    return 0;
  }
  return -1;
}

/* {'$gen_call', {From, Tag}, {is_auth, Node}} -> {Tag, yes} in `reply`, or -1. */
static int is_auth(const char *buf, erlang_pid *from, ei_x_buff *reply) {
  int index = 0, version, arity;
  if (ei_decode_version(buf, &index, &version) || ei_decode_tuple_header(buf, &index, &arity) || arity != 3) return -1;
  if (!is_atom(buf, &index, "$gen_call") || ei_decode_tuple_header(buf, &index, &arity) || arity != 2) return -1;
  if (ei_decode_pid(buf, &index, from)) return -1;
  int tag = index;
  if (ei_skip_term(buf, &index)) return -1;
  int tag_end = index;
  if (ei_decode_tuple_header(buf, &index, &arity) || arity != 2 || !is_atom(buf, &index, "is_auth")) return -1;
  ei_x_encode_tuple_header(reply, 2);
  ei_x_append_buf(reply, buf + tag, tag_end - tag);
  ei_x_encode_atom(reply, "yes");
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s NAME COOKIE\n", argv[0]);
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  ei_cnode ec;
  int port = 0;
  if (ei_init() || ei_connect_init(&ec, argv[1], argv[2], 0) < 0) return fprintf(stderr, "ei_connect_init failed\n"), 1;
  int listen = ei_listen(&ec, &port, 5);
  if (listen < 0 || ei_publish(&ec, port) < 0) return fprintf(stderr, "ei_listen/ei_publish failed\n"), 1;
  printf("READY %s\n", ei_thisnodename(&ec));
  fflush(stdout);

  ei_x_buff in, out;
  ei_x_new(&in);
  ei_x_new_with_version(&out);
  for (;;) {
    ErlConnect peer;
    int fd = ei_accept(&ec, listen, &peer);
    if (fd < 0) continue;
    for (;;) {
      erlang_msg msg;
      int got = ei_xreceive_msg(fd, &msg, &in);
      if (got == ERL_TICK) continue;
      if (got == ERL_ERROR) break;
      if (msg.msgtype != ERL_REG_SEND) continue;
      erlang_pid to;
      out.index = 0;
      ei_x_encode_version(&out);
      int ok = -1;
      if (strcmp(msg.toname, "kvs") == 0) ok = kvs(in.buff, &to, &out);
      else if (strcmp(msg.toname, "net_kernel") == 0) ok = is_auth(in.buff, &to, &out);
      if (ok == 0 && ei_send(fd, &to, out.buff, out.index) < 0) break;
    }
    ei_close_connection(fd);
  }
}
