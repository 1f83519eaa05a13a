using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The AMQPS port. IoT Hub takes AMQP over TLS both with a SASL layer (the Event Hubs and .NET clients: SASL
/// MSSBCBS or ANONYMOUS, then CBS) and without one (Microsoft's Node service SDK opens AMQP straight after TLS, then
/// CBS). AMQPNetLite's listener does one or the other, so this front door ends TLS, reads the client's protocol
/// header (<c>AMQP 3 1 0 0</c> asks for SASL, <c>AMQP 0 1 0 0</c> does not) and relays the connection to the
/// matching loopback listener of the same container.
/// </summary>
internal sealed class AmqpsFrontDoor : IDisposable
{
    private const byte SaslProtocolId = 3;
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly int _saslPort;
    private readonly int _plainPort;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();

    private AmqpsFrontDoor(TcpListener listener, X509Certificate2 certificate, int saslPort, int plainPort, ILogger logger)
    {
        _listener = listener;
        _certificate = certificate;
        _saslPort = saslPort;
        _plainPort = plainPort;
        _logger = logger;
    }

    /// <summary>Listens on <paramref name="port"/> (loopback); throws <see cref="SocketException"/> when it is taken.</summary>
    public static AmqpsFrontDoor Start(int port, X509Certificate2 certificate, int saslPort, int plainPort, ILogger logger)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var door = new AmqpsFrontDoor(listener, certificate, saslPort, plainPort, logger);
        _ = Task.Run(door.AcceptAsync);
        return door;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _closed.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_closed.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_closed.Token).ConfigureAwait(false); }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        try
        {
            await using var tls = new SslStream(client.GetStream());
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token))
            {
                handshake.CancelAfter(TimeSpan.FromSeconds(30));
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                }, handshake.Token).ConfigureAwait(false);
            }
            var header = new byte[8];
            await tls.ReadExactlyAsync(header, _closed.Token).ConfigureAwait(false);
            using var backend = new TcpClient { NoDelay = true };
            await backend.ConnectAsync(IPAddress.Loopback, header[4] == SaslProtocolId ? _saslPort : _plainPort, _closed.Token).ConfigureAwait(false);
            var inner = backend.GetStream();
            await inner.WriteAsync(header, _closed.Token).ConfigureAwait(false);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
            var up = tls.CopyToAsync(inner, done.Token);
            var down = inner.CopyToAsync(tls, done.Token);
            await Task.WhenAny(up, down).ConfigureAwait(false);
            done.Cancel();
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug(ex, "An AMQPS connection ended.");
        }
    }
}
