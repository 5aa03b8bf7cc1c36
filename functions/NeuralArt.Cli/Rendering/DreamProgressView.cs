using System.Globalization;
using NeuralArt.Contract;
using Spectre.Console;

namespace NeuralArt.Cli.Rendering;

/// <summary>
/// Shows a render's progress: a Spectre progress bar (octave, iteration, loss, time left) on an
/// interactive terminal, one line per phase otherwise (logs, CI). Work is counted in pixel-steps,
/// so the time left accounts for the last octaves being the largest.
/// </summary>
internal sealed class DreamProgressView
{
    private const int BarWidth = 20;
    private const int MaxTitleLength = 18;

    private readonly IAnsiConsole _console;
    private readonly IReadOnlyList<long> _phaseWork;
    private readonly string _phaseName;

    /// <param name="phaseWork">Pixel-steps of each phase (octave): iterations x width x height.</param>
    /// <param name="phaseName">What the engine calls a phase (its descriptor's stage: octave, scale).</param>
    public DreamProgressView(IAnsiConsole console, IReadOnlyList<long> phaseWork, string phaseName)
    {
        _console = console;
        _phaseWork = phaseWork;
        _phaseName = phaseName;
    }

    /// <summary>
    /// Runs <paramref name="body"/>, which reports progress through the <see cref="IProgress{T}"/>
    /// it is given (synchronously, from any thread).
    /// </summary>
    public async Task<T> RunAsync<T>(string title, Func<IProgress<EngineProgress>, Task<T>> body)
    {
        if (!_console.Profile.Capabilities.Interactive)
        {
            var lastPhase = 0;
            return await body(new SynchronousProgress(p =>
            {
                if (p.Phase != lastPhase || p.IsComplete || p.PhaseIteration == p.PhaseIterations)
                {
                    if (p.PhaseIteration == p.PhaseIterations || p.IsComplete)
                    {
                        _console.MarkupLine(Markup.Escape($"{title}: {Describe(p)}"));
                    }
                    lastPhase = p.Phase;
                }
            }));
        }

        var total = Math.Max(1, _phaseWork.Sum());
        return await _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = BarWidth },
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var label = title.Length > MaxTitleLength ? title[..(MaxTitleLength - 1)] + "…" : title;
                var task = context.AddTask(Markup.Escape(label), maxValue: total);
                var result = await body(new SynchronousProgress(p =>
                {
                    task.Value = Math.Min(total, Done(p));
                    task.Description = Markup.Escape($"{label} {Short(p)}");
                }));
                task.Value = total;
                task.StopTask();
                return result;
            });
    }

    private long Done(EngineProgress p)
    {
        // Whole phases before this one, plus this phase's share.
        var done = 0L;
        var phaseIndex = Math.Clamp(p.Phase - 1, 0, _phaseWork.Count - 1);
        for (var i = 0; i < phaseIndex; i++) done += _phaseWork[i];
        if (p.PhaseIterations > 0) done += _phaseWork[phaseIndex] * p.PhaseIteration / p.PhaseIterations;
        return p.IsComplete ? _phaseWork.Sum() : done;
    }

    /// <summary>Fits the bar's line on an 80-column terminal: "octave 2/4 it 7/10 loss 4.66".</summary>
    private string Short(EngineProgress p) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{_phaseName} {p.Phase}/{p.PhaseCount} it {p.PhaseIteration}/{p.PhaseIterations}{(double.IsNaN(p.Loss) ? "" : $" loss {p.Loss:G3}")}");

    private string Describe(EngineProgress p) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{_phaseName} {p.Phase}/{p.PhaseCount}, iteration {p.PhaseIteration}/{p.PhaseIterations} ({p.Width}x{p.Height}), loss {p.Loss:G4}");

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<EngineProgress> report) : IProgress<EngineProgress>
    {
        public void Report(EngineProgress value) => report(value);
    }
}
