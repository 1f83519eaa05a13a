using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IotLabKit.PowerShell.Session;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -JobId with the ids of the connected hub's jobs that match what was typed (wildcards allowed), newest
/// first. Silent — no completions, no errors — when the session is not connected or the hub does not answer quickly.
/// </summary>
public sealed class JobIdCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private const int MaxJobs = 1000;

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var connection = HubSession.Current;
        if (connection is null) return [];
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            var jobs = ReadAsync(connection.Jobs, timeout.Token).GetAwaiter().GetResult();
            return jobs
                .Where(j => pattern.IsMatch(j.JobId))
                .OrderByDescending(j => j.CreatedTimeUtc)
                .Select(j => new CompletionResult(Quote(j.JobId), j.JobId, CompletionResultType.ParameterValue, $"{j.JobId} ({j.Type}, {j.Status})"))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never throw into the user's typing; no answer means no suggestions.
            return [];
        }
    }

    private static async Task<List<JobResponse>> ReadAsync(JobClient jobs, CancellationToken cancellationToken)
    {
        var all = new List<JobResponse>();
        await foreach (var job in jobs.CreateQuery(100).ReadAllAsync<JobResponse>(cancellationToken).ConfigureAwait(false))
        {
            all.Add(job);
            if (all.Count >= MaxJobs) break;
        }
        return all;
    }

    private static string Quote(string id)
        => id.IndexOfAny([' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '@', '#', '|', '&']) >= 0
            ? "'" + id.Replace("'", "''", StringComparison.Ordinal) + "'"
            : id;
}
