using IotLabKit.Quizzes.Authoring;

namespace IotLabKit.Quizzes;

/// <summary>
/// The build-time quiz compiler: <c>dotnet IotLabKit.Quizzes.dll build -o &lt;dir&gt; &lt;source file or folder&gt;…</c>.
/// Errors print in the canonical <c>file(line,col): error CODE: …</c> form so MSBuild fails the build on them.
/// </summary>
internal static class Program
{
    private const string Usage = "usage: IotLabKit.Quizzes build --output <dir> <source.quiz.json | folder>...";

    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "build")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string? output = null;
        var inputs = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "-o" or "--output" && i + 1 < args.Length)
            {
                output = args[++i];
            }
            else
            {
                inputs.Add(args[i]);
            }
        }

        if (output is null || inputs.Count == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var failed = false;
        var sources = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                sources.AddRange(Directory.EnumerateFiles(input, "*" + QuizCompiler.SourceExtension).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(input))
            {
                sources.Add(input);
            }
            else
            {
                Console.Error.WriteLine($"{input}: error QZ0000: no such quiz source file or folder.");
                failed = true;
            }
        }

        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in sources)
        {
            var result = QuizCompiler.Build(source, output);
            foreach (var diagnostic in result.Diagnostics)
            {
                // MSBuild's Exec reads canonical errors and warnings from either stream; stdout keeps their order.
                Console.Out.WriteLine(diagnostic.Format(Path.GetFullPath(source)));
            }

            if (!result.Succeeded)
            {
                failed = true;
                continue;
            }

            if (ids.TryGetValue(result.Quiz!.Id, out var other))
            {
                Console.Out.WriteLine($"{Path.GetFullPath(source)}(1,1): error QZ0013: id: quiz id '{result.Quiz.Id}' is also used by {other}.");
                failed = true;
                continue;
            }

            ids[result.Quiz.Id] = source;
            Console.Out.WriteLine($"{(result.Changed ? "sealed" : "up to date")}: {result.Quiz.Id} ({result.Quiz.QuestionCount} questions) -> {result.OutputPath}");
        }

        return failed ? 1 : 0;
    }
}
