using System.Management.Automation;

namespace IotLabKit.PowerShell.Output;

/// <summary>One graded check (one Pester test of a lab's grader).</summary>
public sealed class LabCheckResult
{
    /// <summary>The test's name, as the grader writes it.</summary>
    public string Name { get; init; } = "";
    /// <summary>True when the check passed.</summary>
    public bool Passed { get; init; }
    /// <summary>For a failed check, what the student must do (the check's own message).</summary>
    public string? Message { get; init; }
}

/// <summary>What Test-IotLab found in a hub (PSTypeName <c>IotLabKit.LabGrade</c>).</summary>
public sealed class LabGradeInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.LabGrade";

    /// <summary>The lab's number.</summary>
    public int Lab { get; init; }
    /// <summary>The lab's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>The hub graded.</summary>
    public string? Hub { get; init; }
    /// <summary>Checks passed.</summary>
    public int Passed { get; init; }
    /// <summary>Checks failed.</summary>
    public int Failed { get; init; }
    /// <summary>Checks run.</summary>
    public int Total => Passed + Failed;
    /// <summary>"n of m checks passed".</summary>
    public string Score => $"{Passed} of {Total} checks passed";
    /// <summary>Each check.</summary>
    public IReadOnlyList<LabCheckResult> Checks { get; init; } = [];
    /// <summary>The NUnit or JUnit XML written, if -OutputPath was given.</summary>
    public string? TestResultPath { get; init; }

    internal PSObject ToPSObject()
    {
        var ps = new PSObject(this);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }
}
