/*
 * A MAVLink test peer built on the official generated C library (common dialect): the independent end
 * of tests/transports-mavlink-peer. It is a simulated flight-controller link over UDP or a pty.
 *
 *   peer (--udp-listen PORT | --udpout HOST:PORT | --pty BAUD [--route HOST:PORT]) [--sys S] [--comp C]
 *        [--key HEX64] [--link-id N] [--sign-time T]
 *
 * With --pty and --route it is a flight controller between a telemetry radio (the pty) and a companion
 * computer (UDP): every packet it parses on one side goes out on the other as it arrived.
 *
 * Commands on stdin, one per line:
 *   heartbeat                         send a HEARTBEAT (type 1 quadrotor, autopilot 3)
 *   tunnel TS TC PTYPE HEX            send a TUNNEL with that payload
 *   raw HEX                           send bytes as they are
 *   flood HB_HZ ATT_HZ MS             send HEARTBEATs and ATTITUDEs at those rates for MS ms
 *   quit
 * Lines on stdout:
 *   READY <udp port | pty path>
 *   TX <hex>                          every packet it sent
 *   RX <msgid> <sys> <comp> <signed> <sigok> <hex>      every packet it parsed (hex re-serialized by the
 *                                     library; sigok 1, or minus the library's signing status: -6 replay)
 *                                     library: equal to what arrived when it parsed byte for byte)
 *   TUNNEL <ts> <tc> <ptype> <hex>    the fields of a TUNNEL just reported
 *   BAD <crc|signature>               a packet the library refused
 *   DONE <what>                       a command finished
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>
#include "common/mavlink.h"

static int fd = -1, is_udp = 0, have_peer = 0;
static struct sockaddr_in peer_addr;
static uint8_t sys_id = 1, comp_id = 1;
static mavlink_signing_t signing;
static mavlink_signing_streams_t streams;
static int signing_on = 0;
static int route_fd = -1;
static struct sockaddr_in route_addr;

static uint64_t now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void print_hex(const uint8_t *b, int n) {
  for (int i = 0; i < n; i++) printf("%02x", b[i]);
}

static int parse_hex(const char *s, uint8_t *out, int max) {
  int n = 0;
  while (s[0] && s[1] && n < max) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) break;
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

static void send_bytes(const uint8_t *b, int n) {
  if (is_udp) {
    if (have_peer) sendto(fd, b, n, 0, (struct sockaddr *)&peer_addr, sizeof peer_addr);
  } else {
    for (int off = 0; off < n;) {
      ssize_t w = write(fd, b + off, n - off);
      if (w > 0) off += w;
      else if (errno != EAGAIN && errno != EINTR) break;
      else usleep(1000);
    }
  }
  printf("TX ");
  print_hex(b, n);
  printf("\n");
}

static void send_msg(mavlink_message_t *msg) {
  uint8_t buf[MAVLINK_MAX_PACKET_LEN];
  int n = mavlink_msg_to_send_buffer(buf, msg);
  send_bytes(buf, n);
}

static void heartbeat(void) {
  mavlink_message_t msg;
  mavlink_msg_heartbeat_pack_chan(sys_id, comp_id, MAVLINK_COMM_1, &msg, MAV_TYPE_QUADROTOR, MAV_AUTOPILOT_ARDUPILOTMEGA, 0, 0, MAV_STATE_ACTIVE);
  send_msg(&msg);
}

static void attitude(uint32_t t) {
  mavlink_message_t msg;
  mavlink_msg_attitude_pack_chan(sys_id, comp_id, MAVLINK_COMM_1, &msg, t, 0.01f * (t % 300), -0.02f * (t % 100), 1.5f, 0.1f, 0.2f, 0.3f);
  send_msg(&msg);
}

static void received(mavlink_message_t *msg) {
  uint8_t buf[MAVLINK_MAX_PACKET_LEN];
  int n = mavlink_msg_to_send_buffer(buf, msg);
  int is_signed = (msg->incompat_flags & MAVLINK_IFLAG_SIGNED) != 0;
  int sigok = 0;
  int sigstatus = 0;
  if (is_signed && signing_on) {
    sigok = mavlink_signature_check(&signing, &streams, msg) ? 1 : 0;
    sigstatus = signing.last_status;
  }
  printf("RX %u %u %u %d %d ", (unsigned)msg->msgid, msg->sysid, msg->compid, is_signed, sigok ? 1 : -sigstatus);
  print_hex(buf, n);
  printf("\n");
  if (msg->msgid == MAVLINK_MSG_ID_TUNNEL) {
    mavlink_tunnel_t t;
    mavlink_msg_tunnel_decode(msg, &t);
    printf("TUNNEL %u %u %u ", t.target_system, t.target_component, t.payload_type);
    print_hex(t.payload, t.payload_length > 128 ? 128 : t.payload_length);
    printf("\n");
  }
}

static void feed(const uint8_t *b, int n) {
  mavlink_message_t msg;
  mavlink_status_t st;
  for (int i = 0; i < n; i++) {
    uint8_t r = mavlink_frame_char(MAVLINK_COMM_0, b[i], &msg, &st);
    if (r == MAVLINK_FRAMING_OK) {
      received(&msg);
      if (route_fd >= 0) { /* routed on to the companion computer as the library re-serializes it */
        uint8_t buf[MAVLINK_MAX_PACKET_LEN];
        int len = mavlink_msg_to_send_buffer(buf, &msg);
        sendto(route_fd, buf, len, 0, (struct sockaddr *)&route_addr, sizeof route_addr);
      }
    } else if (r == MAVLINK_FRAMING_BAD_CRC) printf("BAD crc\n");
  }
}

/* Packets from the companion computer go out on the pty as they came. */
static void poll_route(void) {
  uint8_t buf[4096];
  ssize_t n = recv(route_fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n <= 0) return;
  for (int off = 0; off < n;) {
    ssize_t w = write(fd, buf + off, n - off);
    if (w > 0) off += w;
    else if (errno != EAGAIN && errno != EINTR) break;
    else usleep(1000);
  }
}

static void poll_input(int ms) {
  struct pollfd p = { fd, POLLIN, 0 };
  if (poll(&p, 1, ms) <= 0) return;
  uint8_t buf[4096];
  if (is_udp) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n <= 0) return;
    if (!have_peer) { peer_addr = from; have_peer = 1; } /* answer whoever sent first */
    feed(buf, (int)n);
  } else {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) feed(buf, (int)n);
  }
}

static void flood(int hb_hz, int att_hz, int ms) {
  uint64_t start = now_ms(), next_hb = start, next_att = start;
  uint32_t t = 0;
  while (now_ms() - start < (uint64_t)ms) {
    uint64_t now = now_ms();
    if (hb_hz > 0 && now >= next_hb) { heartbeat(); next_hb += 1000 / hb_hz; }
    if (att_hz > 0 && now >= next_att) { attitude(t++); next_att += 1000 / att_hz; }
    fflush(stdout);
    poll_input(2);
  }
}

static speed_t baud_of(int b) {
  switch (b) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 115200: return B115200;
    default: return B57600;
  }
}

int main(int argc, char **argv) {
  const char *key = NULL, *sign_time = NULL;
  int link_id = 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--sys") && i + 1 < argc) sys_id = (uint8_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--comp") && i + 1 < argc) comp_id = (uint8_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--key") && i + 1 < argc) key = argv[++i];
    else if (!strcmp(argv[i], "--link-id") && i + 1 < argc) link_id = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--sign-time") && i + 1 < argc) sign_time = argv[++i];
    else if (!strcmp(argv[i], "--route") && i + 1 < argc) {
      char host[64];
      int port;
      if (sscanf(argv[++i], "%63[^:]:%d", host, &port) != 2) return 2;
      route_fd = socket(AF_INET, SOCK_DGRAM, 0);
      route_addr.sin_family = AF_INET;
      route_addr.sin_port = htons((uint16_t)port);
      inet_pton(AF_INET, host, &route_addr.sin_addr);
      /* connected, so that only the companion computer is heard */
      connect(route_fd, (struct sockaddr *)&route_addr, sizeof route_addr);
    }
    else if (!strcmp(argv[i], "--udp-listen") && i + 1 < argc) {
      struct sockaddr_in a = { 0 };
      fd = socket(AF_INET, SOCK_DGRAM, 0);
      a.sin_family = AF_INET;
      a.sin_port = htons((uint16_t)atoi(argv[++i]));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (bind(fd, (struct sockaddr *)&a, sizeof a)) { perror("bind"); return 2; }
      socklen_t len = sizeof a;
      getsockname(fd, (struct sockaddr *)&a, &len);
      is_udp = 1;
      printf("READY %u\n", ntohs(a.sin_port));
    } else if (!strcmp(argv[i], "--udpout") && i + 1 < argc) {
      char host[64];
      int port;
      if (sscanf(argv[++i], "%63[^:]:%d", host, &port) != 2) return 2;
      fd = socket(AF_INET, SOCK_DGRAM, 0);
      struct sockaddr_in a = { 0 };
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bind(fd, (struct sockaddr *)&a, sizeof a);
      peer_addr.sin_family = AF_INET;
      peer_addr.sin_port = htons((uint16_t)port);
      inet_pton(AF_INET, host, &peer_addr.sin_addr);
      is_udp = have_peer = 1;
      socklen_t len = sizeof a;
      getsockname(fd, (struct sockaddr *)&a, &len);
      printf("READY %u\n", ntohs(a.sin_port));
    } else if (!strcmp(argv[i], "--pty") && i + 1 < argc) {
      int master, slave;
      char name[128];
      struct termios tio;
      if (openpty(&master, &slave, name, NULL, NULL)) { perror("openpty"); return 2; }
      tcgetattr(slave, &tio);
      cfmakeraw(&tio);
      cfsetspeed(&tio, baud_of(atoi(argv[++i])));
      tcsetattr(slave, TCSANOW, &tio);
      fd = master;
      fcntl(fd, F_SETFL, O_NONBLOCK);
      printf("READY %s\n", name); /* the slave stays open here so that the pty lives while the host reopens it */
    }
  }
  if (fd < 0) { fprintf(stderr, "usage: peer (--udp-listen PORT | --udpout HOST:PORT | --pty BAUD) [--sys S] [--comp C] [--key HEX64] [--link-id N]\n"); return 2; }
  if (key) {
    uint8_t k[32];
    if (parse_hex(key, k, 32) != 32) { fprintf(stderr, "--key takes 64 hex digits\n"); return 2; }
    memcpy(signing.secret_key, k, 32);
    signing.link_id = (uint8_t)link_id;
    signing.flags = MAVLINK_SIGNING_FLAG_SIGN_OUTGOING;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    signing.timestamp = sign_time ? strtoull(sign_time, NULL, 10) : ((uint64_t)tv.tv_sec - 1420070400ULL) * 100000ULL + tv.tv_usec / 10;
    mavlink_get_channel_status(MAVLINK_COMM_1)->signing = &signing; /* what we send is signed */
    signing_on = 1;
  }
  fcntl(0, F_SETFL, O_NONBLOCK);
  char line[4096];
  size_t have = 0;
  for (;;) {
    struct pollfd p[3] = { { 0, POLLIN, 0 }, { fd, POLLIN, 0 }, { route_fd, POLLIN, 0 } };
    if (poll(p, route_fd >= 0 ? 3 : 2, 100) < 0) continue;
    if (p[1].revents & POLLIN) poll_input(0);
    if (route_fd >= 0 && (p[2].revents & POLLIN)) poll_route();
    if (!(p[0].revents & (POLLIN | POLLHUP))) continue;
    ssize_t n = read(0, line + have, sizeof line - 1 - have);
    if (n == 0) return 0;
    if (n < 0) continue;
    have += (size_t)n;
    line[have] = 0;
    char *nl;
    while ((nl = strchr(line, '\n'))) {
      *nl = 0;
      unsigned ts, tc, pt;
      int hb, att, ms;
      char hex[600];
      if (!strcmp(line, "quit")) return 0;
      if (!strcmp(line, "heartbeat")) heartbeat();
      else if (sscanf(line, "tunnel %u %u %u %599s", &ts, &tc, &pt, hex) == 4) {
        uint8_t payload[128] = { 0 };
        int len = parse_hex(hex, payload, 128);
        mavlink_message_t msg;
        mavlink_msg_tunnel_pack_chan(sys_id, comp_id, MAVLINK_COMM_1, &msg, (uint8_t)ts, (uint8_t)tc, (uint16_t)pt, (uint8_t)len, payload);
        send_msg(&msg);
      } else if (sscanf(line, "raw %599s", hex) == 1) {
        uint8_t b[300];
        send_bytes(b, parse_hex(hex, b, 300));
      } else if (sscanf(line, "flood %d %d %d", &hb, &att, &ms) == 3) flood(hb, att, ms);
      printf("DONE %s\n", line);
      size_t used = (size_t)(nl - line) + 1;
      memmove(line, nl + 1, have - used + 1);
      have -= used;
    }
  }
}
