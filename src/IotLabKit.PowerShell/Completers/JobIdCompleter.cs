using System.Collections;
using System.Management.Automation;
using IotLabKit.PowerShell.Session;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Completers;

/// <summary>
/// Completes -JobId with the ids of the connected hub's jobs that match what was typed (wildcards allowed), newest
/// first. Silent — no completions, no errors — when the session is not connected or the hub does not answer quickly.
/// </summary>
public sealed class JobIdCompleter : HubCompleter
{
    private const int MaxJobs = 1000;

    private protected override IEnumerable<CompletionResult> Complete(HubConnection connection, WildcardPattern pattern,
        IDictionary fakeBoundParameters, CancellationToken cancellationToken)
        => ReadAsync(connection.Jobs, cancellationToken).GetAwaiter().GetResult()
            .Where(j => pattern.IsMatch(j.JobId))
            .OrderByDescending(j => j.CreatedTimeUtc)
            .Select(j => new CompletionResult(CompletionText.Quote(j.JobId), j.JobId, CompletionResultType.ParameterValue, $"{j.JobId} ({j.Type}, {j.Status})"));

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
}
