using System.Management.Automation;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell;

/// <summary>
/// The base of every IotLabKit cmdlet: the session's hub connection, the error helpers, and running async hub
/// calls so that Ctrl+C (<see cref="StopProcessing"/>) cancels them.
/// </summary>
public abstract class IotLabKitCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancelToken => stopping.Token;

    /// <summary>The command part of error ids: <c>Get-IotDevice</c> → <c>GetIotDevice</c>.</summary>
    protected string CommandId => MyInvocation.MyCommand.Name.Replace("-", "", StringComparison.Ordinal);

    /// <summary>The session's current connection, or null.</summary>
    internal static HubConnection? SessionConnection => HubSession.Current;

    /// <summary>
    /// Runs an async operation on the pipeline thread and waits for it, cancelling it on Ctrl+C.
    /// </summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation)
    {
        try
        {
            return operation(stopping.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Runs an async operation that returns nothing; see <see cref="Await{T}"/>.</summary>
    protected void Await(Func<CancellationToken, Task> operation)
        => Await<bool>(async ct => { await operation(ct).ConfigureAwait(false); return true; });

    /// <summary>Writes a non-terminating error for one failed item of a pipeline.</summary>
    protected void WriteFailure(Exception exception, object? target)
        => WriteError(ErrorRecordFactory.FromException(exception, CommandId, target));

    /// <summary>Stops the command with a record built by <see cref="ErrorRecordFactory.Create"/>.</summary>
    protected void Fail(string reason, ErrorCategory category, string message, object? target = null, Exception? inner = null, string? recommendedAction = null)
        => ThrowTerminatingError(ErrorRecordFactory.Create(CommandId, reason, category, message, target, inner, recommendedAction));

    /// <summary>
    /// <see cref="Cmdlet.ShouldProcess(string, string)"/>, except that <paramref name="force"/> skips the
    /// confirmation prompt. -WhatIf and an explicit -Confirm still win over -Force.
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        var bound = MyInvocation.BoundParameters;
        var whatIf = (bound.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true })
            || (!bound.ContainsKey("WhatIf") && LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")));
        if (force && !whatIf && !bound.ContainsKey("Confirm")) return true;
        return ShouldProcess(target, action);
    }

    /// <inheritdoc />
    protected override void StopProcessing() => stopping.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources held by the cmdlet.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) stopping.Dispose();
    }
}
