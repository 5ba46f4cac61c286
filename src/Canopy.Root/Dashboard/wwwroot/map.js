// Clusters on a map by their location ("lat,lon"), drawn as SVG: an equirectangular projection (x = longitude,
// y = -latitude) with coarse coastlines and a graticule for orientation. No map tiles, nothing fetched: the map
// zooms to the clusters it shows.
import { h } from './dom.js';

// Continents as coarse [lon, lat] rings: enough to tell where a point is, small enough to ship.
const LAND = [
  [[-168, 66], [-140, 70], [-95, 72], [-80, 63], [-60, 55], [-52, 47], [-66, 44], [-76, 35], [-81, 25], [-97, 26], [-97, 16], [-83, 9], [-79, 8], [-87, 14], [-105, 20], [-117, 32], [-124, 40], [-124, 48], [-135, 58], [-150, 60], [-165, 60]],
  [[-45, 60], [-20, 70], [-20, 82], [-60, 82], [-55, 70]],
  [[-79, 8], [-60, 10], [-50, 0], [-35, -7], [-40, -22], [-48, -28], [-58, -38], [-65, -55], [-75, -50], [-72, -30], [-70, -18], [-81, -5], [-77, 5]],
  [[-10, 36], [-9, 43], [-2, 48], [-5, 58], [5, 62], [15, 69], [30, 71], [60, 70], [80, 73], [110, 77], [140, 72], [180, 68], [180, 62], [160, 60], [142, 46], [130, 42], [122, 30], [120, 22], [108, 20], [105, 10], [100, 14], [98, 8], [92, 22], [80, 15], [77, 8], [72, 20], [60, 25], [50, 30], [48, 30], [56, 25], [58, 20], [52, 16], [43, 13], [35, 28], [34, 32], [36, 36], [27, 37], [26, 41], [22, 37], [15, 40], [12, 44], [8, 44], [3, 43], [-5, 36]],
  [[-17, 15], [-16, 28], [-6, 36], [10, 37], [20, 32], [32, 31], [34, 28], [43, 12], [51, 12], [40, -15], [35, -25], [20, -35], [15, -28], [12, -6], [9, 4], [-8, 4]],
  [[114, -22], [122, -18], [131, -12], [137, -12], [142, -11], [146, -19], [153, -27], [150, -37], [140, -38], [131, -31], [115, -34]],
  [[-5, 50], [1, 51], [-2, 56], [-4, 58], [-6, 56]],
  [[130, 31], [140, 35], [142, 43], [140, 41], [135, 34]],
  [[166, -46], [174, -41], [178, -38], [172, -34], [168, -44]],
];

/** "48.1,11.6" → {lat, lon}; null when empty or not two numbers in range. */
export function parseLocation(text) {
  const parts = String(text ?? '').split(',').map(p => Number.parseFloat(p.trim()));
  if (parts.length < 2 || parts.some(Number.isNaN)) return null;
  const [lat, lon] = parts;
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

/** Points: [{name, lat, lon, active, detail}]. */
export function clusterMap(points, label = 'Map of clusters') {
  const box = bounds(points);
  const unit = box.width / 100;
  const svg = h('svg:svg', {
    viewBox: `${box.x} ${box.y} ${box.width} ${box.height}`,
    class: 'map',
    role: 'img',
    'aria-label': `${label}: ${points.length ? points.map(p => `${p.name} (${p.active ? 'active' : 'inactive'})`).join(', ') : 'no cluster has a location'}`,
    preserveAspectRatio: 'xMidYMid meet',
  });
  svg.append(h('svg:rect', { x: box.x, y: box.y, width: box.width, height: box.height, class: 'sea' }));
  for (const ring of LAND) {
    svg.append(h('svg:polygon', { class: 'land', points: ring.map(([lon, lat]) => `${lon},${-lat}`).join(' ') }));
  }
  const step = box.width > 120 ? 30 : box.width > 40 ? 10 : box.width > 10 ? 5 : 1;
  for (let lon = Math.ceil(box.x / step) * step; lon <= box.x + box.width; lon += step) {
    svg.append(h('svg:line', { class: 'grid', x1: lon, x2: lon, y1: box.y, y2: box.y + box.height, 'stroke-width': unit * 0.15 }));
  }
  for (let y = Math.ceil(box.y / step) * step; y <= box.y + box.height; y += step) {
    svg.append(h('svg:line', { class: 'grid', x1: box.x, x2: box.x + box.width, y1: y, y2: y, 'stroke-width': unit * 0.15 }));
  }
  const seen = new Map();
  for (const point of points) {
    // Clusters at one place are fanned out a little so each stays visible.
    const key = `${point.lat.toFixed(2)},${point.lon.toFixed(2)}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    const x = point.lon + nth * unit * 2.5;
    const y = -point.lat;
    svg.append(h('svg:g', { class: ['marker', point.active ? 'active' : 'inactive'] },
      h('svg:title', {}, `${point.name}: ${point.active ? 'active' : 'inactive'} at ${point.lat}, ${point.lon}${point.detail ? ` · ${point.detail}` : ''}`),
      h('svg:circle', { cx: x, cy: y, r: unit * 1.4, 'stroke-width': unit * 0.4 }),
      h('svg:text', { x: x + unit * 2, y: y + unit * 0.8, 'font-size': unit * 2.6 }, point.name)));
  }
  return svg;
}

function bounds(points) {
  if (points.length === 0) return { x: -180, y: -80, width: 360, height: 150 };
  const lons = points.map(p => p.lon);
  const lats = points.map(p => p.lat);
  let width = Math.max(Math.max(...lons) - Math.min(...lons), 8) * 1.6;
  let height = Math.max(Math.max(...lats) - Math.min(...lats), 4) * 1.6;
  // Wide rather than tall (the map sits in a wide box); never wider than the world.
  width = Math.min(Math.max(width, height * 2), 360);
  height = Math.min(Math.max(height, width / 2.4), 180);
  const cx = (Math.max(...lons) + Math.min(...lons)) / 2;
  const cy = -(Math.max(...lats) + Math.min(...lats)) / 2;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}
