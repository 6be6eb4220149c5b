// The edge stack checks that its API server accepts connections. Tests point the edge kubeconfig at
// this listener on loopback, the only address they ever dial; workers inherit its port.
import * as net from "node:net";

export default async function startFakeEdgeApiServer(): Promise<() => Promise<void>> {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.FAKE_EDGE_API_PORT = String((server.address() as net.AddressInfo).port);
    return () => new Promise((resolve) => server.close(() => resolve()));
}
