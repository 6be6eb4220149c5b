// A CONNECT proxy on loopback, for CLIs that must reach an API server by a name only the Docker
// network knows (the local cloud's https://k3d-cloud-server-0:6443, in the Link's credentials). Go
// programs (linkerd, through client-go) send HTTPS through the proxy that HTTPS_PROXY names
// (client-go transport/cache.go: http.ProxyFromEnvironment), except to loopback and localhost
// (golang.org/x/net/http/httpproxy useProxy), so their own cluster at 127.0.0.1 is reached directly.
// The proxy opens a tunnel to the address a route maps the requested one to, and to any other address
// as asked. It only moves bytes: TLS runs end to end, and the client checks the server's certificate
// for the name it asked for.
import * as http from "node:http";
import * as net from "node:net";

export interface ConnectProxy {
    /** For HTTPS_PROXY: http://127.0.0.1:<port>. */
    url: string;
    close(): Promise<void>;
}

/** `host:port` split at its last colon. */
function hostAndPort(address: string): { host: string; port: number } {
    const colon = address.lastIndexOf(":");
    return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port: Number(address.slice(colon + 1)) };
}

/** Starts the proxy on 127.0.0.1, on a free port; `routes` maps a requested `host:port` to the one to connect to. */
export async function startConnectProxy(routes: Record<string, string>): Promise<ConnectProxy> {
    const sockets = new Set<net.Socket>();
    const track = (socket: net.Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    };
    const server = http.createServer((_request, response) => {
        response.writeHead(405, { "Content-Type": "text/plain" }).end("only CONNECT\n");
    });
    server.on("connection", track);
    server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        const { host, port } = hostAndPort(routes[request.url ?? ""] ?? request.url ?? "");
        const upstream = net.connect({ host, port });
        track(upstream);
        upstream.on("connect", () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length > 0) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        upstream.on("error", (error) => {
            if (client.writable) client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n${error.message}\n`);
        });
        client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
            new Promise((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    };
}
