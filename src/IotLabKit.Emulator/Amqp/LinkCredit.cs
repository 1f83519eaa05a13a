namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The credit a receiving client has granted one of the emulator's sending link endpoints (partition readers, feedback),
/// counted as AMQPNetLite counts it: a flow that does not raise the limit leaves none. The endpoint's pump waits for
/// credit and takes one unit per message it sends.
/// </summary>
internal sealed class LinkCredit
{
    private readonly Lock _gate = new();
    private int _credit;
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>What the client can take now.</summary>
    public int Available { get { lock (_gate) return _credit; } }

    /// <summary>Records a flow frame's link credit (<c>FlowContext.Messages</c>).</summary>
    public void OnFlow(int messages)
    {
        lock (_gate)
        {
            _credit = messages <= 0 ? 0 : _credit + messages;
            if (_credit > 0) _arrived.TrySetResult();
        }
    }

    /// <summary>Completes once there is credit: at once if there is some now.</summary>
    public Task WhenAvailableAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_credit > 0) return Task.CompletedTask;
            if (_arrived.Task.IsCompleted) _arrived = NewSignal();
            return _arrived.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes one unit for a message about to be sent; false when the client has none left.</summary>
    public bool TryTake()
    {
        lock (_gate)
        {
            if (_credit == 0) return false;
            _credit--;
            return true;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
