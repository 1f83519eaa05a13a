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
/// CBS). This front door ends TLS and gives the decrypted stream to <see cref="AmqpConnectionRelay"/>, which picks
/// the loopback listener by the client's protocol header.
/// </summary>
internal sealed class AmqpsFrontDoor : IDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly AmqpConnectionRelay _relay;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();

    private AmqpsFrontDoor(TcpListener listener, X509Certificate2 certificate, AmqpConnectionRelay relay, ILogger logger)
    {
        _listener = listener;
        _certificate = certificate;
        _relay = relay;
        _logger = logger;
    }

    /// <summary>Listens on <paramref name="port"/> (loopback); throws <see cref="SocketException"/> when it is taken.</summary>
    public static AmqpsFrontDoor Start(int port, X509Certificate2 certificate, AmqpConnectionRelay relay, ILogger logger)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var door = new AmqpsFrontDoor(listener, certificate, relay, logger);
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
            await _relay.RelayAsync(tls, "TLS", closeClientOutput: null, _closed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug(ex, "An AMQPS connection ended.");
        }
    }
}
