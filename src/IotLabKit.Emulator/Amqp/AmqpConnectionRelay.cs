using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// Hands one client's AMQP byte stream (already decrypted: TLS ended by <see cref="AmqpsFrontDoor"/>, or carried in
/// WebSocket messages by <see cref="AmqpWebSocketGateway"/>) to the container's loopback listener that matches the
/// client's protocol header: <c>AMQP 3 1 0 0</c> asks for SASL (the Event Hubs and .NET clients), <c>AMQP 0 1 0 0</c>
/// does not (Microsoft's Node service SDK). AMQPNetLite's listener does one or the other, hence two listeners and
/// this one place that chooses.
/// </summary>
internal sealed class AmqpConnectionRelay(int saslPort, int plainPort, ILogger logger)
{
    private const byte SaslProtocolId = 3;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Relays <paramref name="client"/> until either side ends; never throws for a connection that drops. When the
    /// listener ends the connection first (after AMQP close), <paramref name="closeClientOutput"/>, if given, starts
    /// the client transport's own closing handshake and the client's answer is awaited briefly: a WebSocket must not
    /// be cut under a pending read (that aborts it, and clients report a broken close).
    /// </summary>
    public async Task RelayAsync(Stream client, string transport, Func<Task>? closeClientOutput, CancellationToken cancellationToken)
    {
        try
        {
            var header = new byte[8];
            await client.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            using var backend = new TcpClient { NoDelay = true };
            await backend.ConnectAsync(IPAddress.Loopback, header[4] == SaslProtocolId ? saslPort : plainPort, cancellationToken).ConfigureAwait(false);
            var inner = backend.GetStream();
            await inner.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var up = client.CopyToAsync(inner, done.Token);
            var down = inner.CopyToAsync(client, done.Token);
            if (await Task.WhenAny(up, down).ConfigureAwait(false) == down && closeClientOutput is not null)
            {
                await closeClientOutput().ConfigureAwait(false);
                await up.WaitAsync(CloseTimeout, cancellationToken).ConfigureAwait(false);
            }
            done.Cancel();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                       or TimeoutException or System.Net.WebSockets.WebSocketException)
        {
            logger.LogDebug(ex, "An AMQP connection over {Transport} ended.", transport);
        }
    }
}
