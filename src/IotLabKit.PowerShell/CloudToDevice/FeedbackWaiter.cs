using IotLabKit.Service;

namespace IotLabKit.PowerShell.CloudToDevice;

/// <summary>
/// Waits for the feedback of messages one command sent, without taking anyone else's: a batch holding only those
/// messages' records is completed; a batch holding others too is read but left unsettled, and given back to the hub
/// when the command ends, for whoever reads feedback next.
/// </summary>
internal sealed class FeedbackWaiter(ServiceClient service) : IAsyncDisposable
{
    private readonly FeedbackReceiver _receiver = service.GetFeedbackReceiver();
    private readonly HashSet<string> _mine = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FeedbackRecord> _arrived = new(StringComparer.Ordinal);
    private readonly List<FeedbackBatch> _held = [];

    /// <summary>Notes a message this command sent, before it is sent (its feedback can come quickly).</summary>
    public void Expect(string messageId) => _mine.Add(messageId);

    /// <summary>The record for <paramref name="messageId"/>, or null when none came within <paramref name="timeout"/>.</summary>
    public async Task<FeedbackRecord?> WaitAsync(string messageId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (!_arrived.ContainsKey(messageId))
            {
                var batch = await _receiver.ReceiveAsync(limit.Token).ConfigureAwait(false);
                foreach (var record in batch.Records)
                    if (record.OriginalMessageId is { } id && _mine.Contains(id)) _arrived.TryAdd(id, record);
                if (batch.Records.All(r => r.OriginalMessageId is { } id && _mine.Contains(id)))
                    await _receiver.CompleteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                else
                    _held.Add(batch);
            }
            return _arrived[messageId];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Gives back the batches held and detaches, so unread feedback is delivered to the next reader.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var batch in _held) await _receiver.AbandonAsync(batch).ConfigureAwait(false);
        await _receiver.DisposeAsync().ConfigureAwait(false);
    }
}
