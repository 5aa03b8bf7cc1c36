using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Reference;

namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>Float64 loss functions of an RGB image (flattened [1,3,h,w]), built from the reference evaluator.</summary>
internal static class ReferenceLoss
{
    public static Func<double[], double> Dream(ReferenceModel model, BackboneManifest manifest, DreamParameters objective, int h, int w)
    {
        var weights = objective.Taps.Select(t => (manifest.ResolveTap(t.Tap), (double)t.Weight)).ToList();
        var tensors = weights.Select(t => t.Item1).Distinct().ToList();
        return image =>
        {
            var taps = model.Run(ReferenceObjectives.Preprocess(new RefTensor([1, 3, h, w], image), manifest.Preprocessing), tensors);
            return ReferenceObjectives.DreamLoss(taps, weights, objective.Channels);
        };
    }

    /// <param name="guides">Guide features by tap name.</param>
    public static Func<double[], double> Guided(ReferenceModel model, BackboneManifest manifest, DreamParameters objective,
        IReadOnlyDictionary<string, RefTensor> guides, int h, int w)
    {
        var weights = objective.Taps.Select(t => (manifest.ResolveTap(t.Tap), (double)t.Weight)).ToList();
        var byTensor = objective.Taps.ToDictionary(t => manifest.ResolveTap(t.Tap), t => guides[t.Tap], StringComparer.Ordinal);
        var tensors = weights.Select(t => t.Item1).Distinct().ToList();
        return image =>
        {
            var taps = model.Run(ReferenceObjectives.Preprocess(new RefTensor([1, 3, h, w], image), manifest.Preprocessing), tensors);
            return ReferenceObjectives.GuidedLoss(taps, byTensor, weights).Loss;
        };
    }

    /// <summary>The taps' activations for an image.</summary>
    public static Dictionary<string, RefTensor> Features(ReferenceModel model, BackboneManifest manifest, IReadOnlyList<string> taps, double[] image, int h, int w)
    {
        var tensors = taps.Select(manifest.ResolveTap).Distinct().ToList();
        var values = model.Run(ReferenceObjectives.Preprocess(new RefTensor([1, 3, h, w], image), manifest.Preprocessing), tensors);
        return taps.ToDictionary(t => t, t => values[manifest.ResolveTap(t)], StringComparer.Ordinal);
    }
}
