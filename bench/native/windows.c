/* The window side of the relay bench's load generator, in C (bench/native/__init__.py drives it).

   One epoll thread holds N WebSocket windows on 127.0.0.1:PORT PATH and records every relayed
   frame as (controller, seq), exactly as WindowStats in bench/loadgen.py does:
   - binary 11-byte input frames (the peers): seq = u16 at bytes 1..2, ctrl = int16 at 9..10;
   - the hub's JSON text (one object or an array of objects): every object that starts
     {"type":"move","id":..,"cseq":N,"x":N,"y":N (y = controller index); other objects count
     as "other".
   Latency = CLOCK_MONOTONIC now - the send time the controller process wrote into the shared
   memory of doubles (Python's perf_counter is CLOCK_MONOTONIC on Linux), indexed
   ctrl * 65536 + seq. The clock is read once per recv() batch: every frame parsed from one
   recv() gets the same receive time.

   Protocol on stdin/stdout, one line each:
     -> "ready N"                    after every handshake (or "error TEXT", exit 1)
     <- "expect TOTAL WAIT_S"        wait until every window has TOTAL in-order frames, or WAIT_S
     -> one JSON line of stats       after the latencies (raw doubles) are in LAT_PATH
     <- "bye" (or EOF)               exit (the runner reads our CPU time before that)

   usage: windows PORT PATH N_WIN N_CTRL SHM_NAME LAT_PATH
   Plain C99 + POSIX/Linux. Fragmented messages are not supported (counted as "other"). */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SEQS 65536L
#define BUF0 65536
#define STDIN_TAG (-1)

struct win {
    int fd; /* -1 once closed */
    unsigned char *buf;
    size_t cap, len;
    long delivered;
    long *last; /* last in-order seq per controller */
    int close_code; /* -1: no close frame received */
};

static struct win *wins;
static int n_win, n_ctrl;
static volatile const double *send_t; /* written by the controller process meanwhile */
static double *lat;
static size_t n_lat, cap_lat;
static long out_of_order, other;
static long target = -1; /* TOTAL from "expect"; -1 until then */
static int n_done;       /* windows with delivered >= target */

static void fail(const char *what) {
    printf("error %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void record(struct win *w, long ctrl, long seq, double now) {
    if (seq == 0 || seq >= SEQS || ctrl < 0 || ctrl >= n_ctrl)
        return;
    double sent = send_t[ctrl * SEQS + seq];
    if (sent == 0.0 || seq <= w->last[ctrl]) {
        out_of_order++;
        return;
    }
    w->last[ctrl] = seq;
    if (++w->delivered == target)
        n_done++;
    if (n_lat == cap_lat) {
        cap_lat = cap_lat ? cap_lat * 2 : 1 << 16;
        lat = realloc(lat, cap_lat * sizeof *lat);
        if (!lat)
            fail("realloc");
    }
    lat[n_lat++] = now - sent;
}

/* Matches lit at *p, advancing it. */
static int take(const unsigned char **p, const unsigned char *end, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
        return 0;
    *p += n;
    return 1;
}

static int take_int(const unsigned char **p, const unsigned char *end, long *out) {
    const unsigned char *q = *p;
    int neg = q < end && *q == '-';
    long v = 0;
    q += neg;
    if (q == end || *q < '0' || *q > '9')
        return 0;
    while (q < end && *q >= '0' && *q <= '9' && v < 1000000000L)
        v = v * 10 + (*q++ - '0');
    *out = neg ? -v : v;
    *p = q;
    return 1;
}

/* One object at p ('{'): a hub move gives (cseq, y), anything else counts as other. */
static void on_item(struct win *w, const unsigned char *p, const unsigned char *end, double now) {
    long cseq, x, y;
    if (!take(&p, end, "{\"type\":\"move\",\"id\":"))
        goto not_move;
    if (p < end && *p == '"') {
        const unsigned char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
        if (!q)
            goto not_move;
        p = q + 1;
    } else if (!take_int(&p, end, &x)) {
        goto not_move;
    }
    if (take(&p, end, ",\"cseq\":") && take_int(&p, end, &cseq) && take(&p, end, ",\"x\":") &&
        take_int(&p, end, &x) && take(&p, end, ",\"y\":") && take_int(&p, end, &y)) {
        record(w, y, cseq, now);
        return;
    }
not_move:
    other++;
}

/* A text message: one object, or an array of objects (the hub's batches). */
static void on_text(struct win *w, const unsigned char *p, size_t n, double now) {
    const unsigned char *end = p + n;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    int item_depth = (p < end && *p == '[') ? 1 : 0;
    int depth = 0, in_str = 0;
    for (; p < end; p++) {
        unsigned char c = *p;
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (c == '{' && depth == item_depth)
                on_item(w, p, end, now);
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
}

static void send_masked(int fd, int opcode, const unsigned char *payload, size_t n) {
    unsigned char frame[2 + 4 + 125];
    if (n > 125)
        n = 125; /* control frames carry at most 125 bytes */
    frame[0] = (unsigned char)(0x80 | opcode);
    frame[1] = (unsigned char)(0x80 | n);
    if (getrandom(frame + 2, 4, 0) != 4)
        memset(frame + 2, 0x5a, 4);
    for (size_t i = 0; i < n; i++)
        frame[6 + i] = payload[i] ^ frame[2 + (i & 3)];
    /* best effort: a control frame this small fits in any socket buffer */
    if (send(fd, frame, 6 + n, MSG_NOSIGNAL) < 0)
        return;
}

static void drop(int ep, struct win *w) {
    epoll_ctl(ep, EPOLL_CTL_DEL, w->fd, NULL);
    close(w->fd);
    w->fd = -1;
}

/* Parses every whole frame in w->buf; keeps the rest. */
static void parse(int ep, struct win *w, double now) {
    size_t pos = 0;
    while (w->fd >= 0 && w->len - pos >= 2) {
        unsigned char *f = w->buf + pos;
        uint64_t n = f[1] & 0x7F;
        size_t head = 2 + ((f[1] & 0x80) ? 4 : 0); /* servers do not mask; skip it if one does */
        if (n == 126) {
            if (w->len - pos < 4)
                break;
            n = ((uint64_t)f[2] << 8) | f[3];
            head += 2;
        } else if (n == 127) {
            if (w->len - pos < 10)
                break;
            n = 0;
            for (int i = 2; i < 10; i++)
                n = (n << 8) | f[i];
            head += 8;
        }
        if (n > (1u << 30)) { /* not a frame this bench sends */
            drop(ep, w);
            return;
        }
        if (w->len - pos < head + n) {
            if (head + n > w->cap) { /* make room for the whole frame */
                memmove(w->buf, f, w->len - pos);
                w->len -= pos;
                pos = 0;
                w->cap = head + n;
                w->buf = realloc(w->buf, w->cap);
                if (!w->buf)
                    fail("realloc");
            }
            break;
        }
        unsigned char *payload = f + head;
        int opcode = f[0] & 0x0F, fin = f[0] & 0x80;
        pos += head + n;
        if (!fin || opcode == 0x0) {
            other++; /* fragments: not supported, not fatal */
        } else if (opcode == 0x1) {
            on_text(w, payload, n, now);
        } else if (opcode == 0x2) {
            if (n == 11 && payload[0] == 1)
                record(w, (int16_t)((payload[9] << 8) | payload[10]),
                       (payload[1] << 8) | payload[2], now);
            else
                other++;
        } else if (opcode == 0x9) {
            send_masked(w->fd, 0xA, payload, n);
        } else if (opcode == 0x8) {
            w->close_code = n >= 2 ? (payload[0] << 8) | payload[1] : 1005;
            send_masked(w->fd, 0x8, payload, n >= 2 ? 2 : 0);
            drop(ep, w);
        }
    }
    if (pos) {
        memmove(w->buf, w->buf + pos, w->len - pos);
        w->len -= pos;
    }
}

static void on_readable(int ep, struct win *w) {
    if (w->len == w->cap) {
        w->cap *= 2;
        w->buf = realloc(w->buf, w->cap);
        if (!w->buf)
            fail("realloc");
    }
    ssize_t got = recv(w->fd, w->buf + w->len, w->cap - w->len, 0);
    if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        drop(ep, w); /* the server went away */
        return;
    }
    w->len += (size_t)got;
    parse(ep, w, now_s());
}

/* Blocking connect and RFC 6455 handshake; bytes after the 101 stay in w->buf. */
static void open_window(struct win *w, int port, const char *path) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 10};
    int one = 1;
    w->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (w->fd < 0)
        fail("socket");
    setsockopt(w->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(w->fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        fail("window connect");
    unsigned char raw[16];
    char key[25], req[1024];
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (getrandom(raw, sizeof raw, 0) != sizeof raw)
        fail("getrandom");
    for (int i = 0, k = 0; i < 15; i += 3, k += 4) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
        key[k] = b64[v >> 18], key[k + 1] = b64[(v >> 12) & 63];
        key[k + 2] = b64[(v >> 6) & 63], key[k + 3] = b64[v & 63];
    }
    key[20] = b64[raw[15] >> 2], key[21] = b64[(raw[15] & 3) << 4];
    key[22] = '=', key[23] = '=', key[24] = 0;
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     path, port, key);
    if (n < 0 || n >= (int)sizeof req || send(w->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        fail("handshake send");
    char *end = NULL;
    while (!end) {
        if (w->len + 1 >= w->cap)
            fail("handshake response too long");
        ssize_t got = recv(w->fd, w->buf + w->len, w->cap - 1 - w->len, 0);
        if (got <= 0)
            fail("handshake recv");
        w->len += (size_t)got;
        w->buf[w->len] = 0;
        end = strstr((char *)w->buf, "\r\n\r\n");
    }
    char *eol = strstr((char *)w->buf, "\r\n");
    *eol = 0;
    if (!strstr((char *)w->buf, " 101")) {
        printf("error handshake refused: %s\n", (char *)w->buf);
        fflush(stdout);
        exit(1);
    }
    size_t head = (size_t)(end + 4 - (char *)w->buf);
    memmove(w->buf, w->buf + head, w->len - head);
    w->len -= head;
    fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
}

static void map_send_times(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "/%s", name);
    int fd = shm_open(path, O_RDONLY, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        fail("shm_open");
    if ((size_t)st.st_size < (size_t)n_ctrl * SEQS * sizeof(double)) {
        printf("error shared memory %s is %ld bytes, too small\n", name, (long)st.st_size);
        fflush(stdout);
        exit(1);
    }
    void *mem = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED)
        fail("mmap");
    close(fd);
    send_t = mem;
}

static void report(const char *lat_path) {
    FILE *f = fopen(lat_path, "wb");
    if (!f || fwrite(lat, sizeof *lat, n_lat, f) != n_lat || fclose(f) != 0)
        fail("write latencies");
    printf("{\"delivered\":[");
    for (int i = 0; i < n_win; i++)
        printf("%s%ld", i ? "," : "", wins[i].delivered);
    printf("],\"out_of_order\":%ld,\"other\":%ld,\"latencies\":%zu,\"closes\":[", out_of_order,
           other, n_lat);
    for (int i = 0, k = 0; i < n_win; i++)
        if (wins[i].close_code >= 0)
            printf("%s%d", k++ ? "," : "", wins[i].close_code);
    printf("]}\n");
    fflush(stdout);
}

/* Reads stdin; returns 1 on "bye" or EOF. Handles "expect TOTAL WAIT_S". */
static int on_stdin(double *deadline) {
    static char line[256];
    static size_t len;
    ssize_t got = read(0, line + len, sizeof line - 1 - len);
    if (got <= 0)
        return 1;
    len += (size_t)got;
    line[len] = 0;
    char *nl;
    while ((nl = strchr(line, '\n'))) {
        *nl = 0;
        long total;
        double wait_s;
        if (sscanf(line, "expect %ld %lf", &total, &wait_s) == 2) {
            target = total;
            *deadline = now_s() + wait_s;
            n_done = 0;
            for (int i = 0; i < n_win; i++)
                n_done += wins[i].delivered >= target;
        } else if (strcmp(line, "bye") == 0) {
            return 1;
        }
        len -= (size_t)(nl + 1 - line);
        memmove(line, nl + 1, len + 1);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT PATH N_WIN N_CTRL SHM_NAME LAT_PATH\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    n_win = atoi(argv[3]);
    n_ctrl = atoi(argv[4]);
    if (n_win < 1 || n_ctrl < 1) {
        fprintf(stderr, "N_WIN and N_CTRL must be positive\n");
        return 2;
    }
    map_send_times(argv[5]);
    wins = calloc((size_t)n_win, sizeof *wins);
    int ep = epoll_create1(0);
    if (!wins || ep < 0)
        fail("setup");
    for (int i = 0; i < n_win; i++) {
        struct win *w = &wins[i];
        w->cap = BUF0;
        w->buf = malloc(w->cap);
        w->last = calloc((size_t)n_ctrl, sizeof *w->last);
        w->close_code = -1;
        if (!w->buf || !w->last)
            fail("malloc");
        open_window(w, port, argv[2]);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &ev) < 0)
            fail("epoll_ctl");
    }
    for (int i = 0; i < n_win; i++) /* frames that came with a handshake's response */
        parse(ep, &wins[i], now_s());
    struct epoll_event in = {.events = EPOLLIN, .data.u32 = (uint32_t)STDIN_TAG};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in) < 0)
        fail("epoll_ctl stdin");
    printf("ready %d\n", n_win);
    fflush(stdout);

    double deadline = 0;
    int reported = 0;
    struct epoll_event evs[128];
    for (;;) {
        int timeout = -1;
        if (target >= 0 && !reported) {
            double left = deadline - now_s();
            if (n_done >= n_win || left <= 0) {
                report(argv[6]);
                reported = 1;
                for (int i = 0; i < n_win; i++) {
                    if (wins[i].fd >= 0) {
                        static const unsigned char normal[2] = {0x03, 0xE8}; /* 1000 */
                        send_masked(wins[i].fd, 0x8, normal, 2);
                        drop(ep, &wins[i]);
                    }
                }
                continue;
            }
            timeout = (int)(left * 1000) + 1;
        }
        int n = epoll_wait(ep, evs, 128, timeout);
        if (n < 0 && errno != EINTR)
            fail("epoll_wait");
        for (int k = 0; k < n; k++) {
            uint32_t tag = evs[k].data.u32;
            if (tag == (uint32_t)STDIN_TAG) {
                if (on_stdin(&deadline))
                    return 0;
            } else if (wins[tag].fd >= 0) {
                on_readable(ep, &wins[tag]);
            }
        }
    }
}
