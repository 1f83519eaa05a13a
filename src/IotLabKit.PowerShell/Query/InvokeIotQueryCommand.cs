using System.Globalization;
using System.Management.Automation;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Query;

/// <summary>
/// Runs an IoT Hub query and streams every result to the pipeline as its page arrives: twins as the module's twin
/// objects (the same as Get-Twin), per-device job results as <c>IotLabKit.DeviceJobResult</c> objects (the same as
/// Get-IotJobDeviceResult), projections and aggregates as PSCustomObjects.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "IotQuery")]
[OutputType(TwinView.TypeName, DeviceJobInfo.TypeName, "System.Management.Automation.PSCustomObject")]
public sealed class InvokeIotQueryCommand : HubCmdlet
{
    /// <summary>The query, in IoT Hub's query language (<c>SELECT * FROM devices WHERE tags.site = 'A'</c>).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("QueryString", "Sql")]
    public string Query { get; set; } = "";

    /// <summary>Stop after this many results: no further page is fetched.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; }

    /// <summary>How many results to ask the hub for per page (1 to 1000; the hub's default is 100).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var limit = First > 0 ? First : long.MaxValue;
        int? pageSize = PageSize > 0 ? PageSize : First is > 0 and < 100 ? First : null;
        IQuery query;
        try { query = Registry.CreateQuery(Query, pageSize); }
        catch (ArgumentException ex)
        {
            WriteError(InvalidQuery(ex.Message, ex));
            return;
        }

        ProgressRecord? progress = null;
        long written = 0;
        var pages = 0;
        while (written < limit && query.HasMoreResults)
        {
            QueryResponse<string> page;
            try { page = Await(ct => query.GetNextAsJsonAsync(ct)); }
            catch (IotHubException ex) when (ex.StatusCode == 400)
            {
                WriteError(InvalidQuery(ex.Message, ex));
                break;
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, Query);
                break;
            }
            pages++;
            foreach (var json in page)
            {
                if (written >= limit) break;
                WriteObject(QueryRowView.From(json, page.ResultType));
                written++;
            }
            if (written < limit && query.HasMoreResults)
            {
                // Only a query with more than one page is long enough to be worth a progress bar. A new record each
                // time: hosts may keep the records they were given.
                progress = new ProgressRecord(ProgressId, "Invoke-IotQuery",
                    string.Create(CultureInfo.InvariantCulture, $"{written} results from {pages} page(s); fetching page {pages + 1}"))
                {
                    PercentComplete = First > 0 ? (int)(100 * written / First) : -1,
                };
                WriteProgress(progress);
            }
        }
        if (progress is not null)
            WriteProgress(new ProgressRecord(progress.ActivityId, progress.Activity, progress.StatusDescription) { RecordType = ProgressRecordType.Completed });
    }

    // One id per command instance, so nested or parallel queries do not overwrite each other's bars.
    private int ProgressId => Math.Abs(GetHashCode() % 100_000) + 1;

    private ErrorRecord InvalidQuery(string message, Exception inner)
        => ErrorRecordFactory.Create(CommandId, "InvalidQuery", ErrorCategory.InvalidArgument, message, Query, inner,
            "Check the query against the IoT Hub query language: SELECT … FROM devices | devices.modules | devices.jobs [WHERE …] [GROUP BY …]. The message says where it failed.");
}
