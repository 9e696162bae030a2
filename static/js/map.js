// The map beside a list: markers from the page's JSON block (#map-points), tiles from
// the container's data-tiles. Progressive enhancement: without JavaScript, without
// Leaflet or without tiles the list on the page is whole; the map only adds to it.
(function () {
  "use strict";
  var container = document.getElementById("map");
  var data = document.getElementById("map-points");
  if (!container || !data || typeof L === "undefined") return;
  var map_data;
  try {
    map_data = JSON.parse(data.textContent);
  } catch (e) {
    return;
  }
  var points = map_data.points || [];
  var areas = map_data.areas || [];
  if (!points.length && !map_data.centre && !areas.length) return;

  var section = container.closest(".map-section") || container;
  section.hidden = false;
  container.hidden = false;

  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer(container.dataset.tiles, {
    maxZoom: 18,
    attribution: container.dataset.attribution || ""
  }).addTo(map);

  // Popup text is built from text nodes, never from HTML.
  function popup(point) {
    var box = document.createElement("div");
    (point.items || []).forEach(function (item) {
      var p = document.createElement("p");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      p.appendChild(link);
      if (item.detail) {
        p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(item.detail));
      }
      box.appendChild(p);
    });
    if (point.more) {
      var more = document.createElement("p");
      more.textContent = point.more;
      box.appendChild(more);
    }
    return box;
  }

  var useClusters = container.dataset.cluster === "yes" && typeof L.markerClusterGroup === "function";
  var layer = useClusters ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.featureGroup();
  var bounds = [];
  points.forEach(function (point) {
    var marker = L.marker([point.lat, point.lon], { title: point.label, alt: point.label });
    marker.bindPopup(popup(point));
    layer.addLayer(marker);
    bounds.push([point.lat, point.lon]);
  });
  layer.addTo(map);

  // Walking distance around towns and districts (the coordinators' map): dashed where
  // nothing matching meets. The table on the page says the same in words.
  areas.forEach(function (area) {
    L.circle([area.lat, area.lon], {
      radius: (map_data.area_radius_km || 1) * 1000,
      weight: area.count ? 1 : 2,
      dashArray: area.count ? null : "6 6",
      color: area.count ? "#1d6b3a" : "#a4161a",
      fillOpacity: area.count ? 0.08 : 0.15,
      interactive: true
    }).bindTooltip(area.label).addTo(map);
    bounds.push([area.lat, area.lon]);
  });

  var centre = map_data.centre;
  if (centre) {
    bounds.push([centre.lat, centre.lon]);
    if (map_data.radius_km) {
      L.circle([centre.lat, centre.lon], {
        radius: map_data.radius_km * 1000, weight: 2, fill: false, interactive: false
      }).addTo(map);
      // The circle's box, worked out here: a circle knows its bounds only on a shown map.
      var dlat = map_data.radius_km / 110.5;
      var dlon = map_data.radius_km / (111.32 * Math.max(Math.cos(centre.lat * Math.PI / 180), 0.01));
      bounds.push([centre.lat - dlat, centre.lon - dlon], [centre.lat + dlat, centre.lon + dlon]);
    }
    L.circleMarker([centre.lat, centre.lon], { radius: 6, weight: 2 })
      .bindTooltip(centre.label).addTo(map);
  }
  if (bounds.length === 1) {
    map.setView(bounds[0], 15);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }
  container.dataset.markers = String(points.length);
})();
