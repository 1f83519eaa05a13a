using System.Collections.Concurrent;
using System.Management.Automation;

namespace IotLabKit.PowerShell.Common;

/// <summary>
/// Runs async work off the pipeline thread while the pipeline thread carries out what the work asks it to write
/// (progress, verbose, warnings, errors, objects): PowerShell accepts Write* calls only from the thread that runs
/// the cmdlet, so background work must hand them over instead of calling them itself.
/// </summary>
internal sealed class PipelinePump : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();

    /// <summary>Asks the pipeline thread to run <paramref name="action"/> (from any thread); ignored once the work is done.</summary>
    public void Post(Action action)
    {
        try { _queue.Add(action); }
        catch (InvalidOperationException) { /* the work has finished; nothing is listening any more */ }
    }

    /// <summary>
    /// Starts <paramref name="work"/> and, on the calling (pipeline) thread, runs the posted actions until it ends;
    /// returns its result or rethrows its failure. Ctrl+C (<paramref name="cancellationToken"/>) stops the pipeline.
    /// </summary>
    public T Run<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var task = Task.Run(() => work(cancellationToken), CancellationToken.None);
        _ = task.ContinueWith(_ => _queue.CompleteAdding(), TaskScheduler.Default);
        try
        {
            foreach (var action in _queue.GetConsumingEnumerable(cancellationToken)) action();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _queue.Dispose();
}
