using System.Security.Authentication;
using Amqp;
using Amqp.Framing;
using Amqp.Sasl;
using IotLabKit.Protocol;

namespace IotLabKit.Service.Transport;

/// <summary>
/// The one AMQP connection a <see cref="ServiceClient"/> opens for cloud-to-device messages and feedback, as IoT
/// Hub's SDKs do: AMQPS (port 5671 unless <see cref="ServiceClientOptions.AmqpsPort"/> says otherwise), SASL
/// ANONYMOUS, then CBS <c>put-token</c> with the policy's SAS token (audience = the host name), renewed before it
/// expires. Opened on first use and again after it drops.
/// </summary>
internal sealed class AmqpServiceConnection : IAsyncDisposable
{
    private const int DefaultAmqpsPort = 5671;
    private readonly IotHubConnectionString _connection;
    private readonly ServiceClientOptions _options;
    private readonly SasTokenProvider _tokens;
    private readonly EmulatorCertificateTrust? _trust;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Connection? _amqp;
    private Session? _session;
    private CancellationTokenSource? _renewal;

    public AmqpServiceConnection(IotHubConnectionString connection, ServiceClientOptions options)
    {
        _connection = connection;
        _options = options;
        _tokens = new SasTokenProvider(connection, options.SasTokenTimeToLive, TimeProvider.System);
        if (connection.UseDevelopmentEmulator) _trust = EmulatorCertificateTrust.Load(options.CaCertificatePath);
    }

    /// <summary>The open session (connecting and putting the token first when needed).</summary>
    public async Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_amqp is { IsClosed: false } && _session is { IsClosed: false }) return _session;
            await CloseCoreAsync().ConfigureAwait(false);
            var factory = new ConnectionFactory();
            factory.SASL.Profile = SaslProfile.Anonymous;
            factory.SSL.Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            if (_trust is not null) factory.SSL.RemoteCertificateValidationCallback = _trust.Validate;
            var port = _options.AmqpsPort ?? DefaultAmqpsPort;
            Connection amqp;
            try
            {
                amqp = await factory.CreateAsync(new Address(_connection.Host, port, null, null, "/", "amqps")).WaitAsync(_options.Timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or AuthenticationException or TimeoutException)
            {
                var trust = _trust?.LastRejection is { } why ? $" ({why})" : "";
                throw new IotHubCommunicationException($"Cannot open AMQP to {_connection.Host}:{port}{trust}: {ex.Message}", ex);
            }
            var session = new Session(amqp);
            try { await PutTokenAsync(session, cancellationToken).ConfigureAwait(false); }
            catch
            {
                await amqp.CloseAsync().ConfigureAwait(false);
                throw;
            }
            _amqp = amqp;
            _session = session;
            _renewal = new CancellationTokenSource();
            _ = RenewAsync(session, _renewal.Token);
            return session;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Turns a link's AMQP error into the hub's exception.</summary>
    public static IotHubException Translate(Error? error, string doing)
    {
        var condition = error?.Condition.ToString() ?? "";
        var text = $"{doing}: {error?.Description ?? condition}";
        IotHubErrorCode? code = null;
        if (error?.Info is { } info && info[new Amqp.Types.Symbol("iothub-errorcode")] is string name && Enum.TryParse<IotHubErrorCode>(name, out var parsed)) code = parsed;
        var details = new IotHubErrorDetails { StatusCode = code?.HttpStatus() ?? StatusOf(condition), ErrorCode = code, ErrorName = code?.ToString(), Message = text };
        return condition switch
        {
            "amqp:resource-limit-exceeded" => new DeviceMaximumQueueDepthExceededException(details),
            "amqp:not-found" => new DeviceNotFoundException(details),
            "amqp:unauthorized-access" => new UnauthorizedException(details),
            "amqp:link:message-size-exceeded" => new MessageTooLargeException(details),
            "com.microsoft:argument-error" or "com.microsoft:argument-out-of-range" => new IotHubArgumentException(details),
            _ => new IotHubException(details, isTransient: condition is "com.microsoft:timeout" or "amqp:link:detach-forced" or "amqp:connection:forced"),
        };
    }

    private static int StatusOf(string condition) => condition switch
    {
        "amqp:resource-limit-exceeded" => 403,
        "amqp:not-found" => 404,
        "amqp:unauthorized-access" => 401,
        "amqp:link:message-size-exceeded" => 413,
        "com.microsoft:argument-error" or "com.microsoft:argument-out-of-range" => 400,
        _ => 500,
    };

    private async Task PutTokenAsync(Session session, CancellationToken cancellationToken)
    {
        var replyTo = "cbs-" + Guid.NewGuid().ToString("N");
        var sender = new SenderLink(session, replyTo + "-sender", "$cbs");
        var receiver = new ReceiverLink(session, replyTo + "-receiver", new Attach { Source = new Source { Address = "$cbs" }, Target = new Target { Address = replyTo } }, null);
        try
        {
            var request = new Amqp.Message(_tokens.GetToken())
            {
                Properties = new Properties { MessageId = Guid.NewGuid().ToString(), ReplyTo = replyTo },
                ApplicationProperties = new ApplicationProperties
                {
                    ["operation"] = "put-token",
                    ["type"] = "servicebus.windows.net:sastoken",
                    ["name"] = _connection.HostName,
                },
            };
            await sender.SendAsync(request).WaitAsync(_options.Timeout, cancellationToken).ConfigureAwait(false);
            var reply = await receiver.ReceiveAsync(_options.Timeout).WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new IotHubCommunicationException($"The hub did not answer the AMQP put-token within {_options.Timeout.TotalSeconds:0} s.");
            receiver.Accept(reply);
            var status = reply.ApplicationProperties?["status-code"] is { } s ? Convert.ToInt32(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (status is not (200 or 202))
            {
                var description = reply.ApplicationProperties?["status-description"] as string ?? "";
                var details = new IotHubErrorDetails { StatusCode = status, Message = $"The hub refused the service token: {description}" };
                throw status == 401 ? new UnauthorizedException(details) : new IotHubException(details, isTransient: false);
            }
        }
        catch (AmqpException ex)
        {
            throw Translate(ex.Error, "The hub refused the service token");
        }
        finally
        {
            await sender.CloseAsync().ConfigureAwait(false);
            await receiver.CloseAsync().ConfigureAwait(false);
        }
    }

    // IoT Hub closes links whose token ran out: put a fresh one before that.
    private async Task RenewAsync(Session session, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.SasTokenTimeToLive - _tokens.RenewalMargin, stop).ConfigureAwait(false);
                if (session.IsClosed) return;
                await PutTokenAsync(session, stop).ConfigureAwait(false);
            }
        }
        catch (Exception) { /* closed or failed: the next call opens a new connection */ }
    }

    private async Task CloseCoreAsync()
    {
        _renewal?.Cancel();
        _renewal?.Dispose();
        _renewal = null;
        if (_amqp is { } amqp)
        {
            _amqp = null;
            _session = null;
            try { await amqp.CloseAsync().ConfigureAwait(false); }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or IOException) { }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try { await CloseCoreAsync().ConfigureAwait(false); }
        finally { _gate.Release(); }
    }
}
