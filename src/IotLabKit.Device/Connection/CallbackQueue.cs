using System.Threading.Channels;

namespace IotLabKit.Device;

/// <summary>
/// Runs application callbacks one at a time, in the order they were queued, on the thread pool: never on MQTTnet's
/// receive loop, so a slow or blocking callback cannot stall the connection, and an exception in one callback does
/// not stop the next.
/// </summary>
internal sealed class CallbackQueue
{
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Exception>? _onError;

    public CallbackQueue(Action<Exception>? onError)
    {
        _onError = onError;
        _ = Task.Run(PumpAsync);
    }

    /// <summary>Queues <paramref name="callback"/>; returns at once.</summary>
    public void Enqueue(Func<Task> callback) => _work.Writer.TryWrite(callback);

    /// <summary>Stops taking callbacks; the ones already queued still run.</summary>
    public void Complete() => _work.Writer.TryComplete();

    private async Task PumpAsync()
    {
        await foreach (var callback in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try { await callback().ConfigureAwait(false); }
            catch (Exception ex) { Report(_onError, ex); }
        }
    }

    /// <summary>Hands an application callback's exception to the app's error hook, never letting the hook's own failure escape.</summary>
    public static void Report(Action<Exception>? onError, Exception ex)
    {
        try { onError?.Invoke(ex); }
        catch (Exception) { /* the error hook itself failed; nothing sensible is left to tell */ }
    }
}
