using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Twins;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// Schedules a job on every device that matches a query condition: a twin update (desired properties, tags, or a
/// whole twin patch) or a direct method. With -Wait it follows the job to its end with a progress bar.
/// </summary>
[Cmdlet(VerbsCommon.New, "IotJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = TwinSectionsSet)]
[OutputType(JobInfo.TypeName)]
public sealed class NewIotJobCommand : JobCmdlet
{
    private const string TwinSectionsSet = "TwinUpdate";
    private const string TwinPatchSet = "TwinPatch";
    private const string MethodSet = "Method";

    /// <summary>
    /// Which devices the job runs on: the WHERE part of a device query (tags.site = 'lab1', deviceId IN ['a','b']),
    /// or * for every device. Required, so a job never reaches the whole fleet by accident.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Condition", "Where")]
    public string QueryCondition { get; set; } = "";

    /// <summary>Desired properties to merge into each twin (hashtable, PSCustomObject or JSON; dotted keys nest; $null deletes).</summary>
    [Parameter(ParameterSetName = TwinSectionsSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Desired")]
    public object? DesiredProperties { get; set; }

    /// <summary>Tags to merge into each twin (hashtable, PSCustomObject or JSON; dotted keys nest; $null deletes).</summary>
    [Parameter(ParameterSetName = TwinSectionsSet, ValueFromPipelineByPropertyName = true)]
    public object? Tags { get; set; }

    /// <summary>A whole twin patch: { tags = @{…}; properties = @{ desired = @{…} } } (hashtable, PSCustomObject or JSON).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TwinPatchSet, ValueFromPipelineByPropertyName = true)]
    public object TwinPatch { get; set; } = null!;

    /// <summary>The direct method to invoke on each device.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MethodSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string MethodName { get; set; } = "";

    /// <summary>The method's payload: a hashtable or PSCustomObject (an object), JSON text, a number, a string or $null.</summary>
    [Parameter(ParameterSetName = MethodSet, ValueFromPipelineByPropertyName = true)]
    public object? Payload { get; set; }

    /// <summary>How long each device has to answer (5 to 300 seconds; default 30). A number means seconds.</summary>
    [Parameter(ParameterSetName = MethodSet)]
    [SecondsTransformation]
    public TimeSpan? ResponseTimeout { get; set; }

    /// <summary>How long to wait for each device to connect first (0 to 300 seconds; default 0: it must be online). A number means seconds.</summary>
    [Parameter(ParameterSetName = MethodSet)]
    [SecondsTransformation]
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>The new job's id; a new one (job-yyyyMMdd-HHmmss-xxxx) when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    public string? JobId { get; set; }

    /// <summary>When the job starts (default: now). A local time is converted to UTC.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? StartTime { get; set; }

    /// <summary>How long the job may run once started; devices not reached by then fail (default: the hub's, 1 hour). A number means seconds.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SecondsTransformation]
    public TimeSpan? MaxExecutionTime { get; set; }

    /// <summary>Waits for the job to end, showing succeeded, failed and pending counts, and outputs the finished job.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: how often to read the job (default half a second). A number means seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? PollInterval { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var jobId = JobId ?? NewJobId();
        JobResponse created;
        try
        {
            var start = StartTime?.ToUniversalTime() ?? DateTime.UtcNow;
            var max = MaxExecutionTime is { } m ? (long)Math.Ceiling(m.TotalSeconds) : 0;
            if (ParameterSetName == MethodSet)
            {
                var method = new CloudToDeviceMethod(MethodName, ResponseTimeout ?? TimeSpan.Zero, ConnectTimeout ?? TimeSpan.Zero)
                    .SetPayloadJson(JobPayload.ToJson(Payload));
                if (!ShouldProcess(Target(), $"Schedule job '{jobId}': invoke direct method '{MethodName}'")) return;
                created = Await(ct => Jobs.ScheduleDeviceMethodAsync(jobId, QueryCondition, method, start, max, ct));
            }
            else
            {
                var patch = BuildPatch(jobId);
                if (patch is null) return;
                if (!ShouldProcess(Target(), $"Schedule job '{jobId}': update twins with {patch.ToJsonString()}")) return;
                var twin = Twin.FromJson(patch.ToJsonString());
                created = Await(ct => Jobs.ScheduleTwinUpdateAsync(jobId, QueryCondition, twin, start, max, ct));
            }
        }
        catch (ArgumentException ex)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "InvalidArgument", ErrorCategory.InvalidArgument, ex.Message, jobId, ex));
            return;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, jobId);
            return;
        }

        if (!Wait)
        {
            WriteObject(JobInfo.From(created));
            return;
        }
        try
        {
            var (job, _) = WaitForEnd(created.JobId, null, PollInterval ?? DefaultPollInterval, activityId: 1);
            WriteObject(JobInfo.From(job));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, jobId);
        }
    }

    private string Target() => QueryCondition.Trim() == "*" ? "every device in the hub (*)" : $"devices where {QueryCondition}";

    private JsonObject? BuildPatch(string jobId)
    {
        JsonObject patch;
        try
        {
            if (ParameterSetName == TwinPatchSet)
            {
                patch = TwinPatchBuilder.Build(TwinPatch);
            }
            else
            {
                patch = new JsonObject();
                if (Tags is not null) patch["tags"] = TwinPatchBuilder.Build(Tags);
                if (DesiredProperties is not null)
                    patch["properties"] = new JsonObject { ["desired"] = TwinPatchBuilder.Build(DesiredProperties) };
            }
        }
        catch (ArgumentException ex)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "InvalidProperties", ErrorCategory.InvalidArgument, ex.Message, jobId, ex));
            return null;
        }
        var hasTags = patch["tags"] is JsonObject { Count: > 0 };
        var hasDesired = patch["properties"]?["desired"] is JsonObject { Count: > 0 };
        if (!hasTags && !hasDesired)
        {
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "NothingToDo", ErrorCategory.InvalidArgument,
                "The job would change nothing. Give -DesiredProperties and/or -Tags, a -TwinPatch with tags or properties.desired, or -MethodName for a method job.",
                jobId, recommendedAction: "New-IotJob -QueryCondition \"tags.site = 'lab1'\" -DesiredProperties @{ telemetryInterval = 5 }"));
            return null;
        }
        return patch;
    }

    private static string NewJobId() => $"job-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";
}
