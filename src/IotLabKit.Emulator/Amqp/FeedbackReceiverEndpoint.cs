using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using IotLabKit.Emulator.Core.CloudToDevice;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// A service's receiver link on <c>/messages/serviceBound/feedback</c>: sends feedback batches within the link's
/// credit. Accepting (or rejecting) a batch deletes its records; releasing or modifying it, or closing the link
/// before settling, puts them back for the next receiver.
/// </summary>
internal sealed class FeedbackReceiverEndpoint : LinkEndpoint
{
    private readonly FeedbackQueue _feedback;
    private readonly ListenerLink _link;
    private readonly string _hubName;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<Message, string> _sent = new(ReferenceEqualityComparer.Instance);
    private readonly LinkCredit _credit = new();

    public FeedbackReceiverEndpoint(FeedbackQueue feedback, ListenerLink link, string hubName, ILogger logger)
    {
        _feedback = feedback;
        _link = link;
        _hubName = hubName;
        _logger = logger;
        _ = Task.Run(PumpAsync);
    }

    public override void OnFlow(FlowContext flowContext) => _credit.OnFlow(flowContext.Messages);

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        string? token;
        lock (_gate) _sent.Remove(dispositionContext.Message, out token);
        if (token is not null)
        {
            if (dispositionContext.DeliveryState is Accepted or Rejected) _feedback.Complete(token);
            else _feedback.Abandon(token);
        }
        dispositionContext.Complete();
    }

    public override void OnMessage(MessageContext messageContext)
        => messageContext.Complete(new Error(ErrorCode.NotAllowed) { Description = "The feedback link does not accept messages." });

    public override void OnLinkClosed(ListenerLink link, Error error)
    {
        _closed.Cancel();
        _feedback.AbandonAll(this);
    }

    private async Task PumpAsync()
    {
        var ct = _closed.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _credit.WhenAvailableAsync(ct).ConfigureAwait(false);
                var available = _feedback.Available;
                if (_feedback.TryTake(this) is not { } batch)
                {
                    await available.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var message = CloudToDeviceAmqpMessages.Feedback(batch, _hubName);
                // The batch is taken: it goes out even if a flow withdrew the credit meanwhile.
                _credit.TryTake();
                if (!_link.SettleOnSend)
                    lock (_gate) _sent[message] = batch.LockToken;
                _link.SendMessage(message);
                // A receiver that settles on send has taken the batch for good.
                if (_link.SettleOnSend) _feedback.Complete(batch.LockToken);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
        {
            _logger.LogDebug(ex, "A feedback receiver stopped: its link closed.");
            _feedback.AbandonAll(this);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A feedback receiver failed.");
            _feedback.AbandonAll(this);
            try { _link.Close(TimeSpan.Zero, new Error(ErrorCode.InternalError) { Description = ex.Message }); }
            catch (Exception closeError) when (closeError is AmqpException or ObjectDisposedException) { }
        }
    }
}
