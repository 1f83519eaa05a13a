using System.Text;

namespace IotLabKit.Labs.Scripting;

/// <summary>One complete line a script printed, with the colour it asked for (null = the console's own).</summary>
/// <param name="Text">The line, without the newline.</param>
/// <param name="Color">The colour from ConsoleHelper, or null for plain Console output.</param>
/// <param name="IsError">True when written to Console.Error.</param>
public sealed record ScriptLine(string Text, ConsoleColor? Color, bool IsError = false);

/// <summary>
/// One script's output: what it writes (Console or ConsoleHelper) is cut into whole lines, kept, and announced, so
/// the runner shows lines of several scripts running at once without interleaving them mid-line, and can wait for a
/// line containing some text.
/// </summary>
public sealed class ScriptOutput
{
    private readonly object gate = new();
    private readonly List<ScriptLine> lines = [];
    private readonly StringBuilder pending = new();
    private readonly StringBuilder pendingError = new();
    private readonly List<(string Text, TaskCompletionSource<ScriptLine> Done)> waiters = [];

    /// <summary>Raised (on the writing thread) for each complete line.</summary>
    public event Action<ScriptLine>? LineWritten;

    /// <summary>A copy of every line so far.</summary>
    public IReadOnlyList<ScriptLine> Lines
    {
        get { lock (gate) return lines.ToList(); }
    }

    /// <summary>How many complete lines there are so far.</summary>
    public int Count
    {
        get { lock (gate) return lines.Count; }
    }

    /// <summary>The lines from index <paramref name="start"/> on.</summary>
    public IReadOnlyList<ScriptLine> LinesFrom(int start)
    {
        lock (gate) return start >= lines.Count ? [] : lines.GetRange(start, lines.Count - start);
    }

    /// <summary>Writes text as Console.Write would; complete lines become <see cref="ScriptLine"/>s.</summary>
    public void Write(string? text, bool isError = false)
    {
        if (string.IsNullOrEmpty(text)) return;
        List<ScriptLine>? completed = null;
        lock (gate)
        {
            var buffer = isError ? pendingError : pending;
            foreach (var ch in text)
            {
                if (ch == '\n')
                {
                    if (buffer.Length > 0 && buffer[^1] == '\r') buffer.Length--;
                    (completed ??= []).Add(Add(new ScriptLine(buffer.ToString(), null, isError)));
                    buffer.Clear();
                }
                else
                {
                    buffer.Append(ch);
                }
            }
        }
        Announce(completed);
    }

    /// <summary>Writes whole lines in one colour (ConsoleHelper); a partial line before it is ended first.</summary>
    public void WriteLine(string? text, ConsoleColor? color)
    {
        var completed = new List<ScriptLine>();
        lock (gate)
        {
            if (pending.Length > 0)
            {
                completed.Add(Add(new ScriptLine(pending.ToString(), null)));
                pending.Clear();
            }
            foreach (var line in (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
                completed.Add(Add(new ScriptLine(line, color)));
        }
        Announce(completed);
    }

    /// <summary>Ends any partial line (the script has finished).</summary>
    public void Flush()
    {
        var completed = new List<ScriptLine>();
        lock (gate)
        {
            if (pending.Length > 0) { completed.Add(Add(new ScriptLine(pending.ToString(), null))); pending.Clear(); }
            if (pendingError.Length > 0) { completed.Add(Add(new ScriptLine(pendingError.ToString(), null, true))); pendingError.Clear(); }
        }
        Announce(completed);
    }

    /// <summary>
    /// Completes with the first line (already written or still to come) that contains <paramref name="text"/>
    /// (ordinal, case-sensitive, as the student would read it).
    /// </summary>
    public Task<ScriptLine> WaitForLineAsync(string text, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<ScriptLine> done;
        lock (gate)
        {
            var found = lines.FirstOrDefault(l => l.Text.Contains(text, StringComparison.Ordinal));
            if (found is not null) return Task.FromResult(found);
            done = new TaskCompletionSource<ScriptLine>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((text, done));
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (gate) waiters.RemoveAll(w => w.Done == done);
                done.TrySetCanceled(cancellationToken);
            });
            done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return done.Task;
    }

    private ScriptLine Add(ScriptLine line)
    {
        lines.Add(line);
        for (var i = waiters.Count - 1; i >= 0; i--)
        {
            if (!line.Text.Contains(waiters[i].Text, StringComparison.Ordinal)) continue;
            waiters[i].Done.TrySetResult(line);
            waiters.RemoveAt(i);
        }
        return line;
    }

    private void Announce(List<ScriptLine>? completed)
    {
        if (completed is null) return;
        foreach (var line in completed) LineWritten?.Invoke(line);
    }
}
