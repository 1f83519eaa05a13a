using Amqp.Listener;
using IotLabKit.Emulator.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// One consumer's link on a partition: sends stored events in order from the resolved start, as far as the link's
/// credit allows, then waits for the store's next batch. Never skips or repeats within the link.
/// </summary>
internal sealed class PartitionReaderEndpoint : LinkEndpoint
{
    private const int MaxRead = 100;
    private readonly TelemetryStore _telemetry;
    private readonly int _partition;
    private readonly ListenerLink _link;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    private readonly LinkCredit _credit = new();
    private long _next;

    public PartitionReaderEndpoint(TelemetryStore telemetry, int partition, long startSequenceNumber, ListenerLink link, ILogger logger)
    {
        _telemetry = telemetry;
        _partition = partition;
        _next = startSequenceNumber;
        _link = link;
        _logger = logger;
        _ = Task.Run(PumpAsync);
    }

    public override void OnFlow(FlowContext flowContext) => _credit.OnFlow(flowContext.Messages);

    public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();

    public override void OnMessage(MessageContext messageContext)
        => messageContext.Complete(new global::Amqp.Framing.Error(global::Amqp.ErrorCode.NotAllowed) { Description = "A partition reader's link does not accept messages." });

    public override void OnLinkClosed(ListenerLink link, global::Amqp.Framing.Error error) => _closed.Cancel();

    private async Task PumpAsync()
    {
        var ct = _closed.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var credit = _credit.Available;
                if (credit == 0)
                {
                    await _credit.WhenAvailableAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var appended = _telemetry.Appended;
                var events = _telemetry.Read(_partition, _next, Math.Min(credit, MaxRead));
                if (events.Count == 0)
                {
                    await appended.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                foreach (var ev in events)
                {
                    if (!_credit.TryTake()) break;
                    _link.SendMessage(EventHubMessages.ToAmqp(ev));
                    _next = ev.SequenceNumber + 1;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is global::Amqp.AmqpException or ObjectDisposedException)
        {
            _logger.LogDebug(ex, "A reader of partition {Partition} stopped: its link closed.", _partition);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A reader of partition {Partition} failed.", _partition);
            try { _link.Close(TimeSpan.Zero, new global::Amqp.Framing.Error(global::Amqp.ErrorCode.InternalError) { Description = ex.Message }); }
            catch (Exception closeError) when (closeError is global::Amqp.AmqpException or ObjectDisposedException) { }
        }
    }
}
