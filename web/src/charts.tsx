// Charts with Apache ECharts. Only the bar and line charts and the components they use are
// registered, so the bundle carries no other chart type. Each chart has a table of the same
// numbers and a CSV download of them.

import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useId, useRef, useState } from 'react';

import { CsvButton, DataTable, type Column } from './components';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type ChartOption = echarts.ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

export interface SeriesSpec {
  name: string;
  type: 'bar' | 'line';
  data: number[];
  color: string;
  /** Series with the same stack name are stacked on each other. */
  stack?: string;
}

/** Colours with at least 3:1 contrast against the white background, the WCAG 2.1 minimum for graphics. */
export const palette = {
  users: '#1d4ed8',
  delivered: '#15803d',
  failed: '#b91c1c',
  contacts: '#7e22ce',
  sent: '#374151',
  accepted: '#15803d',
  declined: '#b91c1c',
  expired: '#b45309',
  pending: '#0e7490',
};

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

function Chart({ categories, series, label }: { categories: string[]; series: SeriesSpec[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const chart = echarts.init(element, undefined, { renderer: 'canvas' });
    const option: ChartOption = {
      animation: !reducedMotion(),
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, type: 'plain' },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: series.map((s) =>
        s.type === 'bar'
          ? { name: s.name, type: 'bar', data: s.data, itemStyle: { color: s.color }, ...(s.stack ? { stack: s.stack } : {}) }
          : { name: s.name, type: 'line', data: s.data, itemStyle: { color: s.color }, lineStyle: { color: s.color, width: 2 }, symbolSize: 5 },
      ),
    };
    chart.setOption(option);
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [categories, series]);

  // The canvas has no text for assistive technology, so the label points to the table toggle.
  return <div ref={container} className="chart" role="img" aria-label={`${label}. Press the Table button to read the numbers.`} />;
}

interface ChartPanelProps<T> {
  title: string;
  /** A sentence under the title on what the numbers count. */
  description?: string;
  /** The CSV download's file name. */
  fileName: string;
  rows: readonly T[];
  /** The table's and the CSV's columns: the category first, then one per number. */
  columns: ReadonlyArray<Column<T>>;
  categories: string[];
  series: SeriesSpec[];
}

/** Renders a chart with a "Table" toggle that shows the same numbers as an HTML table, and a CSV download. */
export function ChartPanel<T>({ title, description, fileName, rows, columns, categories, series }: ChartPanelProps<T>) {
  const [showTable, setShowTable] = useState(false);
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="panel-header">
        <h2 id={headingId}>{title}</h2>
        <div className="toolbar">
          <button type="button" aria-pressed={showTable} onClick={() => setShowTable((shown) => !shown)} aria-label={`Table: show ${title} as a table`}>
            Table
          </button>
          <CsvButton fileName={fileName} label={title} columns={columns} rows={rows} />
        </div>
      </div>
      {description ? <p className="help">{description}</p> : null}
      {showTable ? (
        <DataTable caption={title} hideCaption columns={columns} rows={rows} rowKey={(_row, index) => String(index)} />
      ) : (
        <Chart categories={categories} series={series} label={title} />
      )}
    </section>
  );
}
