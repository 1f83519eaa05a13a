using System.Text.Json;
using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// Reads cloud-to-device feedback from <c>/messages/serviceBound/feedback</c> over the service client's AMQP
/// connection, shaped like Microsoft's <c>FeedbackReceiver&lt;FeedbackBatch&gt;</c>: receive a batch, then
/// complete it (the hub deletes it) or abandon it (the hub delivers it again). A batch neither completed nor
/// abandoned when the receiver closes is delivered again too.
/// </summary>
public sealed class FeedbackReceiver : IAsyncDisposable
{
    private const string Address = "/messages/serviceBound/feedback";
    private const int Credit = 10;
    private readonly AmqpServiceConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (ReceiverLink Link, Amqp.Message Message)> _unsettled = new(StringComparer.Ordinal);
    private ReceiverLink? _link;
    private Channel<Amqp.Message>? _inbox;

    internal FeedbackReceiver(AmqpServiceConnection connection) => _connection = connection;

    /// <summary>Waits for the next batch.</summary>
    /// <exception cref="UnauthorizedException">The policy lacks ServiceConnect.</exception>
    public async Task<FeedbackBatch> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (link, inbox) = await AttachAsync(cancellationToken).ConfigureAwait(false);
            Amqp.Message message;
            try { message = await inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false); }
            catch (ChannelClosedException) { continue; } // the link dropped: attach again
            var batch = Parse(message);
            lock (_unsettled) _unsettled[batch.LockToken] = (link, message);
            return batch;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the next batch; null when none came.</summary>
    public async Task<FeedbackBatch?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { return await ReceiveAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (cts.IsCancellationRequested) { return null; }
    }

    /// <summary>Completes a batch: the hub deletes its records.</summary>
    public Task CompleteAsync(FeedbackBatch feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        if (Take(feedback) is { } d) d.Link.Accept(d.Message);
        return Task.CompletedTask;
    }

    /// <summary>Abandons a batch: the hub delivers its records again.</summary>
    public Task AbandonAsync(FeedbackBatch feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        if (Take(feedback) is { } d) d.Link.Release(d.Message);
        return Task.CompletedTask;
    }

    /// <summary>Detaches the link; unsettled batches go back to the hub.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_link is { } link)
            {
                _link = null;
                try { await link.CloseAsync().ConfigureAwait(false); }
                catch (Exception ex) when (ex is AmqpException or ObjectDisposedException) { }
            }
        }
        finally { _gate.Release(); }
    }

    private (ReceiverLink Link, Amqp.Message Message)? Take(FeedbackBatch feedback)
    {
        lock (_unsettled)
            return _unsettled.Remove(feedback.LockToken, out var d) ? d : null;
    }

    private async Task<(ReceiverLink, Channel<Amqp.Message>)> AttachAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_link is { IsClosed: false } open && _inbox is { } current) return (open, current);
            var session = await _connection.GetSessionAsync(cancellationToken).ConfigureAwait(false);
            var inbox = Channel.CreateUnbounded<Amqp.Message>();
            var attached = new TaskCompletionSource<Error?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var link = new ReceiverLink(session, "feedback-" + Guid.NewGuid().ToString("N"), new Attach { Source = new Source { Address = Address }, Target = new Target() },
                (_, attach) => attached.TrySetResult(null));
            link.Closed += (_, error) =>
            {
                attached.TrySetResult(error ?? new Error(new Amqp.Types.Symbol("amqp:link:detach-forced")));
                inbox.Writer.TryComplete();
            };
            var refused = await attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            // A refused attach answers with an attach (no source) and then a detach carrying the error.
            if (refused is null && link.IsClosed) refused = link.Error;
            if (refused is not null) throw AmqpServiceConnection.Translate(refused, $"The hub refused the feedback link ({Address})");
            link.Start(Credit, (_, message) => inbox.Writer.TryWrite(message));
            _link = link;
            _inbox = inbox;
            return (link, inbox);
        }
        finally { _gate.Release(); }
    }

    private static FeedbackBatch Parse(Amqp.Message message)
    {
        var bytes = message.BodySection switch
        {
            Data data => data.Binary ?? [],
            AmqpValue { Value: byte[] b } => b,
            AmqpValue { Value: string s } => System.Text.Encoding.UTF8.GetBytes(s),
            _ => [],
        };
        var records = bytes.Length == 0 ? [] : JsonSerializer.Deserialize<List<FeedbackRecord>>(bytes) ?? [];
        var lockToken = message.Properties?.GetMessageId()?.ToString() ?? Guid.NewGuid().ToString();
        var userId = message.Properties?.UserId is { } user ? System.Text.Encoding.UTF8.GetString(user) : null;
        return new FeedbackBatch(lockToken, DateTime.UtcNow, userId, records);
    }
}
