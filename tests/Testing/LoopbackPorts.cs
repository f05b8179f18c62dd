using System.Net;
using System.Net.Sockets;

namespace CinematicSwitch.Testing;

/// <summary>Ports for services a test starts as processes, which must be told their address before they listen.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free on 127.0.0.1 now (the system's choice, so parallel tests do not collide).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
